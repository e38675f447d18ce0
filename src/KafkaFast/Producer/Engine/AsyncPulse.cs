namespace KafkaFast.Producer.Engine;

/// <summary>
/// A broadcast wake-up for waiters on slow paths (budget space freed, producer drained). Waiters take
/// <see cref="Task"/> before re-checking their condition, so a pulse between the check and the wait is not missed.
/// Continuations run asynchronously, never on the pulsing worker thread. Allocates only when somebody waits.
/// </summary>
internal sealed class AsyncPulse
{
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _waiters;

    internal bool HasWaiters => Volatile.Read(ref _waiters) != 0;

    /// <summary>Registers a waiter; dispose the result when done waiting.</summary>
    internal WaiterRegistration Register()
    {
        Interlocked.Increment(ref _waiters);
        return new WaiterRegistration(this, Volatile.Read(ref _next).Task);
    }

    internal void Pulse()
    {
        if (!HasWaiters)
        {
            return;
        }

        TaskCompletionSource previous = Interlocked.Exchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        previous.TrySetResult();
    }

    internal readonly struct WaiterRegistration(AsyncPulse owner, Task task) : IDisposable
    {
        internal Task Task { get; } = task;

        public void Dispose() => Interlocked.Decrement(ref owner._waiters);
    }
}

using System.Threading.Tasks.Sources;

namespace KafkaFast.Producer.Engine;

/// <summary>
/// The pooled awaitable behind <see cref="KafkaProducer.ProduceAsync(KafkaTopic, ProducerMessage, CancellationToken)"/>.
/// The worker collects completions into a <see cref="DeliveryCompletionBatch"/> that a thread-pool thread
/// completes, so continuations run inline on that pool thread, never on the worker. It returns to its pool when
/// the awaiter reads the result, so each ValueTask must be awaited exactly once.
/// </summary>
internal sealed class DeliveryCompletionSource : IValueTaskSource<DeliveryResult>
{
    private readonly DeliveryCompletionPool _pool;
    private ManualResetValueTaskSourceCore<DeliveryResult> _core; // mutable struct: never readonly

    internal DeliveryCompletionSource(DeliveryCompletionPool pool, int id)
    {
        _pool = pool;
        Id = id;
        _core.RunContinuationsAsynchronously = false; // completed on a thread-pool thread already (DeliveryCompletionBatch)
    }

    /// <summary>1-based id stored in the message record (0 there means no awaiter).</summary>
    internal int Id { get; }

    /// <summary>Next free id in the pool's stack (0 = none); only meaningful while free.</summary>
    internal int NextFree;

    internal ValueTask<DeliveryResult> Task => new(this, _core.Version);

    internal void SetResult(DeliveryResult result) => _core.SetResult(result);

    internal void SetException(Exception error) => _core.SetException(error);

    /// <summary>Returns a source that was rented but never handed out.</summary>
    internal void ReturnUnused()
    {
        _core.Reset();
        _pool.Return(this);
    }

    public DeliveryResult GetResult(short token)
    {
        try
        {
            return _core.GetResult(token);
        }
        finally
        {
            _core.Reset();
            _pool.Return(this);
        }
    }

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}

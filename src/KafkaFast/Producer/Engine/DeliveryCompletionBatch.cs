using System.Runtime.ExceptionServices;

namespace KafkaFast.Producer.Engine;

/// <summary>
/// Awaiters completed by one worker pass, handed to the thread pool as one work item. The pool thread completes
/// them one after another and each awaiting continuation runs inline there: one thread-pool dispatch per
/// delivery-report batch instead of one per message, and never a continuation on the worker thread.
/// </summary>
internal sealed class DeliveryCompletionBatch : IThreadPoolWorkItem
{
    internal const int Capacity = 1024;

    private readonly DeliveryCompletionSource?[] _sources = new DeliveryCompletionSource?[Capacity];
    private readonly DeliveryResult[] _results = new DeliveryResult[Capacity];
    private readonly Exception?[] _errors = new Exception?[Capacity];
    private readonly Stack<DeliveryCompletionBatch> _pool;

    private DeliveryCompletionBatch(Stack<DeliveryCompletionBatch> pool) => _pool = pool;

    internal int Count { get; private set; }

    internal bool IsFull => Count == Capacity;

    /// <summary>Takes a cleared batch from <paramref name="pool"/> (guarded by locking it), or makes one.</summary>
    internal static DeliveryCompletionBatch Rent(Stack<DeliveryCompletionBatch> pool)
    {
        lock (pool)
        {
            return pool.Count > 0 ? pool.Pop() : new DeliveryCompletionBatch(pool);
        }
    }

    internal void Add(DeliveryCompletionSource source, in DeliveryResult result)
    {
        _sources[Count] = source;
        _results[Count++] = result;
    }

    internal void Add(DeliveryCompletionSource source, Exception error)
    {
        _sources[Count] = source;
        _errors[Count++] = error;
    }

    /// <summary>Thread pool: completes every awaiter (their continuations run here, inline), then returns to the pool.</summary>
    public void Execute()
    {
        ExceptionDispatchInfo? firstFault = null;
        for (int i = 0; i < Count; i++)
        {
            DeliveryCompletionSource source = _sources[i]!;
            Exception? error = _errors[i];
            _sources[i] = null;
            _errors[i] = null;
            try
            {
                if (error is null)
                {
                    source.SetResult(_results[i]);
                }
                else
                {
                    source.SetException(error);
                }
            }
            catch (Exception e)
            {
                // A continuation threw (only custom awaiters can): finish the batch, then surface it like the
                // thread pool would have.
                firstFault ??= ExceptionDispatchInfo.Capture(e);
            }
        }

        Count = 0;
        lock (_pool)
        {
            _pool.Push(this);
        }

        firstFault?.Throw();
    }
}

using KafkaFast.Native;

namespace KafkaFast.Consumer.Engine;

/// <summary>
/// Recycles <see cref="ConsumedBatch"/> objects (and their native slot arrays) so a steady consume loop allocates
/// nothing. At most <see cref="MaxIdle"/> idle batches are kept. Batches are returned from any thread. Lock: _idle.
/// </summary>
internal sealed class ConsumedBatchPool : IDisposable
{
    internal const int MaxIdle = 16;

    private readonly ConsumerEngine _engine;
    private readonly Stack<ConsumedBatch> _idle = new(MaxIdle);
    private bool _disposed;

    internal ConsumedBatchPool(ConsumerEngine engine) => _engine = engine;

    internal ConsumedBatch Rent(int capacity)
    {
        ConsumedBatch? batch = null;
        lock (_idle)
        {
            ObjectDisposedException.ThrowIf(_disposed, typeof(KafkaConsumer));
            _idle.TryPop(out batch);
        }

        batch ??= new ConsumedBatch(_engine, this, new SafeMessageBatchHandle(_engine.Handle, capacity, _engine.LiveMessages));
        batch.Rent(capacity);
        return batch;
    }

    /// <summary>Takes back a disposed (empty) batch; releases its handle when the pool is full or closed.</summary>
    internal void Return(ConsumedBatch batch)
    {
        lock (_idle)
        {
            if (!_disposed && _idle.Count < MaxIdle)
            {
                _idle.Push(batch);
                return;
            }
        }

        batch.Messages.Dispose();
    }

    /// <summary>Releases the idle batches; batches still rented release themselves when disposed.</summary>
    public void Dispose()
    {
        ConsumedBatch[] idle;
        lock (_idle)
        {
            _disposed = true;
            idle = [.. _idle];
            _idle.Clear();
        }

        foreach (ConsumedBatch batch in idle)
        {
            batch.Messages.Dispose();
        }
    }
}

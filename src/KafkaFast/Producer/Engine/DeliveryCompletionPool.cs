namespace KafkaFast.Producer.Engine;

/// <summary>
/// Pool of <see cref="DeliveryCompletionSource"/>s addressed by a small integer id, so a native record can name
/// its awaiter. Rent and return are a lock-free tagged stack (no allocation in steady state); the pool grows by
/// chunks of 1024 under a lock when empty, and never shrinks.
/// </summary>
internal sealed class DeliveryCompletionPool
{
    private const int ChunkShift = 10;
    private const int ChunkSize = 1 << ChunkShift;
    private const int MaxChunks = 4096; // 4M awaiting produces at once

    private readonly DeliveryCompletionSource[]?[] _chunks = new DeliveryCompletionSource[MaxChunks][];
    private readonly Lock _growLock = new();
    private int _chunkCount;

    /// <summary>High 32 bits: version; low 32 bits: id of the top free source (0 = empty).</summary>
    private long _head;

    internal DeliveryCompletionSource Rent()
    {
        while (true)
        {
            long head = Volatile.Read(ref _head);
            int id = (int)head;
            if (id == 0)
            {
                Grow();
                continue;
            }

            DeliveryCompletionSource top = Get(id);
            long next = ((head >> 32) + 1) << 32 | (uint)Volatile.Read(ref top.NextFree);
            if (Interlocked.CompareExchange(ref _head, next, head) == head)
            {
                return top;
            }
        }
    }

    internal void Return(DeliveryCompletionSource source)
    {
        while (true)
        {
            long head = Volatile.Read(ref _head);
            Volatile.Write(ref source.NextFree, (int)head);
            long next = ((head >> 32) + 1) << 32 | (uint)source.Id;
            if (Interlocked.CompareExchange(ref _head, next, head) == head)
            {
                return;
            }
        }
    }

    internal DeliveryCompletionSource Get(int id)
    {
        int index = id - 1;
        return _chunks[index >> ChunkShift]![index & (ChunkSize - 1)];
    }

    private void Grow()
    {
        lock (_growLock)
        {
            if ((int)Volatile.Read(ref _head) != 0)
            {
                return; // someone returned or grew meanwhile
            }

            if (_chunkCount == MaxChunks)
            {
                throw new InvalidOperationException($"More than {MaxChunks * ChunkSize} awaitable produces are pending; await them before starting more.");
            }

            var chunk = new DeliveryCompletionSource[ChunkSize];
            int firstId = _chunkCount * ChunkSize + 1;
            for (int i = 0; i < ChunkSize; i++)
            {
                chunk[i] = new DeliveryCompletionSource(this, firstId + i);
            }

            Volatile.Write(ref _chunks[_chunkCount], chunk);
            _chunkCount++;
            for (int i = ChunkSize - 1; i >= 0; i--)
            {
                Return(chunk[i]);
            }
        }
    }
}

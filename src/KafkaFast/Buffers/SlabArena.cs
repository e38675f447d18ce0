using KafkaFast.Native;

namespace KafkaFast.Buffers;

/// <summary>
/// The producer's memory budget: one native allocation cut into equal slabs, and a lock-free stack of free ones.
/// Pages are touched only as slabs are used, so resident memory grows with use up to the budget and never past it.
/// </summary>
internal sealed unsafe class SlabArena : IDisposable
{
    private readonly SafeNativeMemoryHandle _memory;
    private readonly Slab[] _slabs;
    private readonly TaggedIndexStack _free;
    private int _inUse;

    internal SlabArena(long budgetBytes, int slabSize)
    {
        int count = checked((int)(budgetBytes / slabSize));
        _memory = new SafeNativeMemoryHandle((nuint)count * (nuint)slabSize);
        _slabs = new Slab[count];
        _free = new TaggedIndexStack(count);
        for (int i = count - 1; i >= 0; i--)
        {
            _slabs[i] = new Slab(i, _memory.Pointer + (long)i * slabSize, slabSize);
            _free.Push(i);
        }

        SlabSize = slabSize;
    }

    internal int SlabSize { get; }

    internal int SlabCount => _slabs.Length;

    internal int SlabsInUse => Volatile.Read(ref _inUse);

    /// <summary>The native block; clients keep it alive until their rd_kafka_t is destroyed.</summary>
    internal SafeNativeMemoryHandle Memory => _memory;

    internal Slab GetSlab(int index) => _slabs[index];

    internal bool TryRent(out Slab? slab)
    {
        if (_free.TryPop(out int index))
        {
            Interlocked.Increment(ref _inUse);
            slab = _slabs[index];
            return true;
        }

        slab = null;
        return false;
    }

    /// <summary>Returns a slab that has been <see cref="Slab.Reset"/>.</summary>
    internal void Return(Slab slab)
    {
        Interlocked.Decrement(ref _inUse);
        _free.Push(slab.Index);
    }

    public void Dispose() => _memory.Dispose();
}

using System.Buffers;

namespace KafkaFast.Buffers;

/// <summary>
/// The <see cref="IBufferWriter{T}"/> a serialize-in-place call writes its value through: straight into the
/// record's reserved space in the slab. If the value outgrows the reservation, what was written moves to a pooled
/// array and writing continues there (the record is then written again at its real size: a second copy, on
/// that rare path only). One instance per thread, reused for every call.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "The MemoryManager owns nothing; its Dispose is empty.")]
internal sealed unsafe class SlabValueWriter : IBufferWriter<byte>
{
    [ThreadStatic]
    private static SlabValueWriter? t_current;

    private readonly NativeMemoryManager _memory = new();
    private byte* _start;
    private int _capacity;
    private int _written;
    private int _extent; // furthest byte handed out: beyond the written bytes, the caller may have scribbled up to here
    private byte[]? _overflow;
    private int _limit;

    internal static SlabValueWriter ForCurrentThread() => t_current ??= new SlabValueWriter();

    internal int Written => _written;

    internal int Extent => _extent;

    internal bool Overflowed => _overflow is not null;

    /// <summary>The serializer tried to write more than message.max.bytes allows.</summary>
    internal bool ExceededLimit { get; private set; }

    internal ReadOnlySpan<byte> OverflowValue => _overflow.AsSpan(0, _written);

    /// <summary>Starts a value at <paramref name="start"/> with <paramref name="capacity"/> bytes reserved; at most <paramref name="limit"/> bytes in all.</summary>
    internal void Reset(byte* start, int capacity, int limit)
    {
        _start = start;
        _capacity = capacity;
        _limit = limit;
        _written = 0;
        _extent = 0;
        ExceededLimit = false;
        ReturnOverflow();
    }

    internal void ReturnOverflow()
    {
        if (_overflow is not null)
        {
            ArrayPool<byte>.Shared.Return(_overflow);
            _overflow = null;
        }
    }

    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        int available = _overflow is null ? _capacity - _written : _overflow.Length - _written;
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, available);
        if ((long)_written + count > _limit)
        {
            ExceededLimit = true;
            throw new ArgumentException($"The serialized value exceeds message.max.bytes ({_limit} bytes are left after the key and headers).");
        }

        _written += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        if (Ensure(sizeHint))
        {
            return _memory.Slice(_start + _written, _capacity - _written);
        }

        return _overflow.AsMemory(_written);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        if (Ensure(sizeHint))
        {
            return new Span<byte>(_start + _written, _capacity - _written);
        }

        return _overflow.AsSpan(_written);
    }

    /// <summary>True when the reservation has room; otherwise makes sure the overflow array has room and returns false.</summary>
    private bool Ensure(int sizeHint)
    {
        int needed = Math.Max(sizeHint, 1);
        if (_overflow is null && _capacity - _written >= needed)
        {
            _extent = _capacity; // the whole rest of the reservation was handed out
            return true;
        }

        if (_overflow is not null && _overflow.Length - _written >= needed)
        {
            return false;
        }

        // A size hint asks for room, not for data (Utf8JsonWriter asks for 4 KiB at a time): the limit is enforced
        // on what is written, in Advance.
        long required = (long)_written + needed;
        int size = (int)Math.Min(Math.Max(required, Math.Max(_overflow?.Length ?? _capacity, 256) * 2L), Math.Max(required, (long)_limit + needed));
        byte[] grown = ArrayPool<byte>.Shared.Rent(size);
        if (_overflow is null)
        {
            new ReadOnlySpan<byte>(_start, _written).CopyTo(grown);
        }
        else
        {
            _overflow.AsSpan(0, _written).CopyTo(grown);
            ArrayPool<byte>.Shared.Return(_overflow);
        }

        _overflow = grown;
        return false;
    }

    /// <summary>A reusable MemoryManager over native memory, re-pointed per call (Memory handed out is valid only during the call).</summary>
    private sealed class NativeMemoryManager : MemoryManager<byte>
    {
        private byte* _pointer;
        private int _length;

        internal Memory<byte> Slice(byte* pointer, int length)
        {
            _pointer = pointer;
            _length = length;
            return Memory;
        }

        public override Span<byte> GetSpan() => new(_pointer, _length);

        public override MemoryHandle Pin(int elementIndex = 0) => new(_pointer + elementIndex);

        public override void Unpin()
        {
        }

        protected override void Dispose(bool disposing)
        {
        }
    }
}

namespace KafkaFast.Buffers;

/// <summary>
/// A lock-free LIFO of small integers (Treiber stack). The head packs a version tag with the top index so a
/// pop that raced with pop-push-pop of the same index fails its compare-exchange (no ABA). Next links live in
/// an array owned by the caller, indexed like the items. LIFO keeps recently used (warm) slabs in use.
/// </summary>
internal sealed class TaggedIndexStack
{
    private readonly int[] _next;

    /// <summary>High 32 bits: version; low 32 bits: top index + 1 (0 = empty).</summary>
    private long _head;

    internal TaggedIndexStack(int capacity) => _next = new int[capacity];

    internal bool TryPop(out int index)
    {
        while (true)
        {
            long head = Volatile.Read(ref _head);
            int top = (int)head - 1;
            if (top < 0)
            {
                index = -1;
                return false;
            }

            // A stale read of _next[top] is harmless: the version in head changes with every push, so the CAS fails.
            long next = ((head >> 32) + 1) << 32 | (uint)(Volatile.Read(ref _next[top]) + 1);
            if (Interlocked.CompareExchange(ref _head, next, head) == head)
            {
                index = top;
                return true;
            }
        }
    }

    internal void Push(int index)
    {
        while (true)
        {
            long head = Volatile.Read(ref _head);
            Volatile.Write(ref _next[index], (int)head - 1);
            long next = ((head >> 32) + 1) << 32 | (uint)(index + 1);
            if (Interlocked.CompareExchange(ref _head, next, head) == head)
            {
                return;
            }
        }
    }
}

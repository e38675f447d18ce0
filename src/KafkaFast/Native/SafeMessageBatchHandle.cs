using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace KafkaFast.Native;

/// <summary>
/// A native array of rd_kafka_message_t pointers and the consumed messages in it. Invariants:
/// <list type="bullet">
/// <item>Slots [0, <see cref="Count"/>) hold messages we own (or null where one was moved out); slots past Count are garbage.</item>
/// <item>Every owned message is destroyed exactly once: by <see cref="DestroyMessages"/>, or by ReleaseHandle when the
/// handle is finalized (a batch the application forgot to dispose) or disposed.</item>
/// <item>The handle holds a reference on the rd_kafka_t (SafeKafkaChildHandle), so rd_kafka_destroy cannot run while
/// messages (whose memory belongs to librdkafka) are alive.</item>
/// </list>
/// Not thread-safe: the owner (a ConsumedBatch, or the consumer under its store lock) serializes use.
/// </summary>
internal sealed unsafe class SafeMessageBatchHandle : SafeKafkaChildHandle
{
    /// <summary>Shared count of owned messages, for diagnostics and tests (updated once per batch, not per message).</summary>
    private readonly StrongBox<long> _liveMessages;

    /// <remarks>If <paramref name="rk"/> is already closed the base constructor throws and the slot array (a few bytes) leaks; callers check the consumer is open first.</remarks>
    internal SafeMessageBatchHandle(SafeKafkaHandle rk, int capacity, StrongBox<long> liveMessages)
        : base(rk, (nint)NativeMemory.AllocZeroed((nuint)Math.Max(capacity, 1), (nuint)sizeof(nint)))
    {
        Capacity = Math.Max(capacity, 1);
        _liveMessages = liveMessages;
    }

    internal RdKafkaMessage** Slots => (RdKafkaMessage**)handle;

    internal int Capacity { get; private set; }

    /// <summary>How many slots from 0 hold owned messages (or nulls).</summary>
    internal int Count { get; private set; }

    /// <summary>Marks the first <paramref name="count"/> slots as owned (just filled by librdkafka).</summary>
    internal void SetFilled(int count)
    {
        Debug.Assert(Count == 0 && count <= Capacity, "filling a batch that still owns messages");
        Count = count;
        Interlocked.Add(ref _liveMessages.Value, count);
    }

    /// <summary>Appends one owned message (moved from another handle, which must forget it).</summary>
    internal void Append(RdKafkaMessage* message)
    {
        if (Count == Capacity)
        {
            Grow(Capacity * 2);
        }

        Slots[Count++] = message;
        Interlocked.Increment(ref _liveMessages.Value);
    }

    /// <summary>Forgets slot <paramref name="index"/> (its message was moved elsewhere or destroyed by the caller).</summary>
    internal void Forget(int index)
    {
        Slots[index] = null;
        Interlocked.Decrement(ref _liveMessages.Value);
    }

    /// <summary>Sets the number of owned slots after the caller compacted them (dropped entries already forgotten).</summary>
    internal void Truncate(int count)
    {
        Debug.Assert(count <= Count, "truncate grows");
        Count = count;
    }

    /// <summary>Makes room for <paramref name="capacity"/> slots. Only while empty.</summary>
    internal void EnsureCapacity(int capacity)
    {
        if (capacity > Capacity)
        {
            Debug.Assert(Count == 0, "growing a batch that owns messages");
            Grow(capacity);
        }
    }

    private void Grow(int capacity)
    {
        void* grown = NativeMemory.Realloc((void*)handle, (nuint)capacity * (nuint)sizeof(nint));
        SetHandle((nint)grown);
        Capacity = capacity;
    }

    /// <summary>Destroys every owned message and empties the handle.</summary>
    internal void DestroyMessages()
    {
        RdKafkaMessage** slots = Slots;
        int count = Count;
        int destroyed = 0;
        for (int i = 0; i < count; i++)
        {
            if (slots[i] != null)
            {
                LibRdKafka.MessageDestroy(slots[i]);
                slots[i] = null;
                destroyed++;
            }
        }

        Count = 0;
        Interlocked.Add(ref _liveMessages.Value, -destroyed);
    }

    protected override void Destroy(nint child)
    {
        DestroyMessages();
        NativeMemory.Free((void*)child);
    }
}

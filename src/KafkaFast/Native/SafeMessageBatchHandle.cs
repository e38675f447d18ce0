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

    /// <summary>The message in slot <paramref name="index"/> (below <see cref="Count"/>), as an address for <see cref="RdKafkaMessageFields"/>.</summary>
    internal nint MessageAt(int index)
    {
        Debug.Assert((uint)index < (uint)Count, "slot past the owned ones");
        return (nint)Slots[index];
    }

    /// <summary>
    /// One non-blocking rd_kafka_consume_batch_queue into the empty array: up to <paramref name="max"/> messages (and
    /// consumer errors, as messages with err set), serving callbacks on this thread. Returns how many (now owned), or
    /// -1 when librdkafka failed (rd_kafka_last_error says why).
    /// </summary>
    internal int Fill(nint queue, int max)
    {
        Debug.Assert(Count == 0 && max <= Capacity, "filling a batch that owns messages, or past its capacity");
        nint count = LibRdKafka.ConsumeBatchQueue(queue, 0, Slots, (nuint)max);
        if (count > 0)
        {
            SetFilled((int)count);
        }

        return (int)count;
    }

    /// <summary>Moves the message of slot <paramref name="from"/> down to slot <paramref name="to"/> (compaction; <paramref name="to"/> was emptied).</summary>
    internal void MoveSlot(int from, int to)
    {
        Debug.Assert(to <= from && from < Count, "compaction moves messages down");
        Slots[to] = Slots[from];
    }

    /// <summary>Destroys the message of slot <paramref name="index"/> now and forgets it.</summary>
    internal void DestroyAt(int index)
    {
        LibRdKafka.MessageDestroy(Slots[index]);
        Forget(index);
    }

    /// <summary>Moves the message of slot <paramref name="index"/> to <paramref name="target"/>, which owns it from now on.</summary>
    internal void MoveTo(int index, SafeMessageBatchHandle target)
    {
        target.Append(Slots[index]);
        Forget(index);
    }

    /// <summary>rd_kafka_offset_store_message for slot <paramref name="index"/>: stores its offset + 1 and leader epoch. Null or an rd_kafka_error_t.</summary>
    internal nint StoreOffsetAt(int index) => LibRdKafka.OffsetStoreMessage(Slots[index]);

    /// <summary>
    /// Writes into <paramref name="ends"/> (grown as needed) the slot of the last (highest-offset) message of each
    /// partition among the first <paramref name="count"/> slots and returns how many partitions there are. Messages
    /// of one partition are in offset order and usually in runs: one comparison per message plus a short scan per run.
    /// Empty (moved-out) slots are skipped.
    /// </summary>
    internal int CollectPartitionEnds(int count, ref int[] ends)
    {
        RdKafkaMessage** slots = Slots;
        int found = 0;
        nint lastTopic = 0;
        int lastPartition = -1;
        for (int i = count - 1; i >= 0; i--)
        {
            RdKafkaMessage* message = slots[i];
            if (message == null || (message->Topic == lastTopic && message->Partition == lastPartition))
            {
                continue;
            }

            lastTopic = message->Topic;
            lastPartition = message->Partition;
            bool seen = false;
            for (int e = 0; e < found; e++)
            {
                RdKafkaMessage* end = slots[ends[e]];
                if (end->Topic == lastTopic && end->Partition == lastPartition)
                {
                    seen = true;
                    break;
                }
            }

            if (!seen)
            {
                if (found == ends.Length)
                {
                    Array.Resize(ref ends, found * 2);
                }

                ends[found++] = i;
            }
        }

        return found;
    }

    /// <summary>True when every owned slot holds a message (nothing moved out or destroyed since the fill). For invariant checks.</summary>
    internal bool AllSlotsFilled()
    {
        for (int i = 0; i < Count; i++)
        {
            if (Slots[i] == null)
            {
                return false;
            }
        }

        return true;
    }

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

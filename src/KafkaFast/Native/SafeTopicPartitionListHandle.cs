using System.Runtime.InteropServices;
using System.Text;

namespace KafkaFast.Native;

/// <summary>
/// Owns an rd_kafka_topic_partition_list_t: one we built (rd_kafka_topic_partition_list_new) or one librdkafka
/// returned for us to free (rd_kafka_assignment, rd_kafka_subscription). Lists do not reference the rd_kafka_t.
/// Elements are read and written in place only while this handle is alive (callers hold it in a using scope).
/// </summary>
internal sealed unsafe class SafeTopicPartitionListHandle : SafeHandle
{
    private SafeTopicPartitionListHandle(RdKafkaTopicPartitionList* list, bool ownsHandle = true) : base(IntPtr.Zero, ownsHandle)
    {
        if (list == null)
        {
            throw new InvalidOperationException("librdkafka could not allocate a topic partition list.");
        }

        SetHandle((nint)list);
    }

    public override bool IsInvalid => handle == IntPtr.Zero;

    internal RdKafkaTopicPartitionList* List => (RdKafkaTopicPartitionList*)handle;

    internal int Count => List->Count;

    internal ref RdKafkaTopicPartition this[int index]
    {
        get
        {
            if ((uint)index >= (uint)List->Count)
            {
                throw new ArgumentOutOfRangeException(nameof(index));
            }

            return ref List->Elements[index];
        }
    }

    /// <summary>An empty list with room for <paramref name="capacity"/> elements (it grows as needed).</summary>
    internal static SafeTopicPartitionListHandle Create(int capacity) =>
        new(LibRdKafka.TopicPartitionListNew(Math.Max(capacity, 1)));

    /// <summary>Takes ownership of a list librdkafka returned; null becomes an empty list.</summary>
    internal static SafeTopicPartitionListHandle Own(RdKafkaTopicPartitionList* list) =>
        list == null ? Create(0) : new SafeTopicPartitionListHandle(list);

    /// <summary>
    /// A view of a list librdkafka lends to a callback (rebalance, commit result), which frees it after the callback:
    /// use it only inside the callback. Null for a null list.
    /// </summary>
    internal static SafeTopicPartitionListHandle? Borrow(RdKafkaTopicPartitionList* list) =>
        list == null ? null : new SafeTopicPartitionListHandle(list, ownsHandle: false);

    /// <summary>Appends topic/partition with an offset and its leader epoch (-1: unknown).</summary>
    internal void Add(string topic, int partition, long offset, int leaderEpoch)
    {
        RdKafkaTopicPartition* element = Add(topic, partition);
        element->Offset = offset;
        LibRdKafka.TopicPartitionSetLeaderEpoch(element, leaderEpoch);
    }

    /// <summary>The topic of element <paramref name="index"/>.</summary>
    internal string TopicAt(int index) => TopicOf(this[index]);

    /// <summary>True when an element carries an error.</summary>
    internal bool AnyElementError()
    {
        for (int i = 0; i < Count; i++)
        {
            if (List->Elements[i].Err != 0)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Appends topic/partition (librdkafka copies the name). No validation: callers check names and partitions first,
    /// except for subscription patterns ("^...") and partition -1 (unassigned).
    /// </summary>
    internal RdKafkaTopicPartition* Add(string topic, int partition)
    {
        int max = Encoding.UTF8.GetMaxByteCount(topic.Length) + 1;
        Span<byte> utf8 = max <= 1024 ? stackalloc byte[max] : new byte[max];
        int written = Encoding.UTF8.GetBytes(topic, utf8);
        utf8[written] = 0;
        fixed (byte* name = utf8)
        {
            return LibRdKafka.TopicPartitionListAdd(List, name, partition);
        }
    }

    internal static string TopicOf(in RdKafkaTopicPartition element) => LibRdKafka.Utf8(element.Topic);

    protected override bool ReleaseHandle()
    {
        LibRdKafka.TopicPartitionListDestroy(handle);
        return true;
    }
}

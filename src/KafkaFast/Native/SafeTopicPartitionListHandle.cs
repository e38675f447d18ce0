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
    private SafeTopicPartitionListHandle(RdKafkaTopicPartitionList* list) : base(IntPtr.Zero, ownsHandle: true)
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

    internal static SafeTopicPartitionListHandle From(IEnumerable<TopicPartition> partitions, string paramName)
    {
        ArgumentNullException.ThrowIfNull(partitions, paramName);
        var list = Create(partitions.TryGetNonEnumeratedCount(out int n) ? n : 4);
        try
        {
            foreach (TopicPartition p in partitions)
            {
                list.Add(p.Topic, p.Partition, paramName);
            }
        }
        catch
        {
            list.Dispose();
            throw;
        }

        return list;
    }

    internal static SafeTopicPartitionListHandle From(IEnumerable<TopicPartitionOffset> offsets, string paramName)
    {
        ArgumentNullException.ThrowIfNull(offsets, paramName);
        var list = Create(offsets.TryGetNonEnumeratedCount(out int n) ? n : 4);
        try
        {
            foreach (TopicPartitionOffset o in offsets)
            {
                list.Add(o.Topic, o.Partition, paramName)->Offset = o.Offset;
            }
        }
        catch
        {
            list.Dispose();
            throw;
        }

        return list;
    }

    /// <summary>Appends topic/partition (the name is copied by librdkafka); validates both first.</summary>
    internal RdKafkaTopicPartition* Add(string topic, int partition, string paramName)
    {
        TopicName.Validate(topic, paramName);
        if (partition < 0)
        {
            throw new ArgumentOutOfRangeException(paramName, partition, $"Partition of '{topic}' must not be negative.");
        }

        return AddUnchecked(topic, partition);
    }

    /// <summary>Appends without validation: for subscription patterns ("^...") and partition -1 (unassigned).</summary>
    internal RdKafkaTopicPartition* AddUnchecked(string topic, int partition)
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

    /// <summary>Copies the elements out as partitions (allocates; for callbacks and queries, not the message path).</summary>
    internal static TopicPartition[] ToPartitions(RdKafkaTopicPartitionList* list)
    {
        if (list == null)
        {
            return [];
        }

        var result = new TopicPartition[list->Count];
        for (int i = 0; i < result.Length; i++)
        {
            ref RdKafkaTopicPartition e = ref list->Elements[i];
            result[i] = new TopicPartition(TopicOf(e), e.Partition);
        }

        return result;
    }

    /// <summary>Copies the elements out with their offsets.</summary>
    internal static TopicPartitionOffset[] ToOffsets(RdKafkaTopicPartitionList* list)
    {
        if (list == null)
        {
            return [];
        }

        var result = new TopicPartitionOffset[list->Count];
        for (int i = 0; i < result.Length; i++)
        {
            ref RdKafkaTopicPartition e = ref list->Elements[i];
            result[i] = new TopicPartitionOffset(TopicOf(e), e.Partition, e.Offset);
        }

        return result;
    }

    protected override bool ReleaseHandle()
    {
        LibRdKafka.TopicPartitionListDestroy(handle);
        return true;
    }
}

using KafkaFast.Configuration;
using KafkaFast.Native;

namespace KafkaFast.Consumer;

/// <summary>
/// Converts between the public <see cref="TopicPartition"/>/<see cref="TopicPartitionOffset"/> and librdkafka's
/// topic partition lists, validating what callers pass in (the native layer knows nothing of either).
/// </summary>
internal static unsafe class TopicPartitionLists
{
    internal static SafeTopicPartitionListHandle From(IEnumerable<TopicPartition> partitions, string paramName)
    {
        ArgumentNullException.ThrowIfNull(partitions, paramName);
        var list = SafeTopicPartitionListHandle.Create(partitions.TryGetNonEnumeratedCount(out int n) ? n : 4);
        try
        {
            foreach (TopicPartition p in partitions)
            {
                Add(list, p.Topic, p.Partition, paramName);
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
        var list = SafeTopicPartitionListHandle.Create(offsets.TryGetNonEnumeratedCount(out int n) ? n : 4);
        try
        {
            foreach (TopicPartitionOffset o in offsets)
            {
                Add(list, o.Topic, o.Partition, paramName)->Offset = o.Offset;
            }
        }
        catch
        {
            list.Dispose();
            throw;
        }

        return list;
    }

    /// <summary>A list for rd_kafka_offsets_for_times: each element's offset holds its timestamp (ms).</summary>
    internal static SafeTopicPartitionListHandle From(IEnumerable<TopicPartitionTimestamp> timestamps, string paramName)
    {
        ArgumentNullException.ThrowIfNull(timestamps, paramName);
        var list = SafeTopicPartitionListHandle.Create(timestamps.TryGetNonEnumeratedCount(out int n) ? n : 4);
        try
        {
            foreach (TopicPartitionTimestamp t in timestamps)
            {
                if (t.UnixTimeMilliseconds < 0)
                {
                    throw new ArgumentOutOfRangeException(paramName, t.UnixTimeMilliseconds,
                        $"The time of {t.TopicPartition} must not be before 1970 (for the ends of a partition use KafkaOffset.Beginning or KafkaOffset.End).");
                }

                Add(list, t.Topic, t.Partition, paramName)->Offset = t.UnixTimeMilliseconds;
            }
        }
        catch
        {
            list.Dispose();
            throw;
        }

        return list;
    }

    /// <summary>Copies the elements out as partitions (allocates; for callbacks and queries, not the message path).</summary>
    internal static TopicPartition[] ToPartitions(RdKafkaTopicPartitionList* list) =>
        CopyOut(list, static (topic, in e) => new TopicPartition(topic, e.Partition));

    /// <summary>Copies the elements out with their offsets.</summary>
    internal static TopicPartitionOffset[] ToOffsets(RdKafkaTopicPartitionList* list) =>
        CopyOut(list, static (topic, in e) => new TopicPartitionOffset(topic, e.Partition, e.Offset));

    private delegate T ElementConverter<T>(string topic, in RdKafkaTopicPartition element);

    private static T[] CopyOut<T>(RdKafkaTopicPartitionList* list, ElementConverter<T> convert)
    {
        if (list == null)
        {
            return [];
        }

        var result = new T[list->Count];
        for (int i = 0; i < result.Length; i++)
        {
            ref RdKafkaTopicPartition e = ref list->Elements[i];
            result[i] = convert(SafeTopicPartitionListHandle.TopicOf(e), e);
        }

        return result;
    }

    /// <summary>Appends topic/partition after validating both.</summary>
    private static RdKafkaTopicPartition* Add(SafeTopicPartitionListHandle list, string topic, int partition, string paramName)
    {
        TopicName.Validate(topic, paramName);
        if (partition < 0)
        {
            throw new ArgumentOutOfRangeException(paramName, partition, $"Partition of '{topic}' must not be negative.");
        }

        return list.Add(topic, partition);
    }
}

using KafkaFast.Configuration;
using KafkaFast.Native;

namespace KafkaFast.Consumer.Engine;

/// <summary>
/// Converts between the public <see cref="TopicPartition"/>/<see cref="TopicPartitionOffset"/> and librdkafka's
/// topic partition lists, validating what callers pass in (the native layer knows nothing of either).
/// </summary>
internal static class TopicPartitionLists
{
    internal static SafeTopicPartitionListHandle From(IEnumerable<TopicPartition> partitions, string paramName) =>
        Build(partitions, paramName, static (list, p, name) => Add(list, p.Topic, p.Partition, KafkaOffset.Unset, name));

    internal static SafeTopicPartitionListHandle From(IEnumerable<TopicPartitionOffset> offsets, string paramName) =>
        Build(offsets, paramName, static (list, o, name) => Add(list, o.Topic, o.Partition, o.Offset, name));

    /// <summary>A list for rd_kafka_offsets_for_times: each element's offset holds its timestamp (ms).</summary>
    internal static SafeTopicPartitionListHandle From(IEnumerable<TopicPartitionTimestamp> timestamps, string paramName) =>
        Build(timestamps, paramName, static (list, t, name) =>
        {
            if (t.UnixTimeMilliseconds < 0)
            {
                throw new ArgumentOutOfRangeException(name, t.UnixTimeMilliseconds,
                    $"The time of {t.TopicPartition} must not be before 1970 (for the ends of a partition use KafkaOffset.Beginning or KafkaOffset.End).");
            }

            Add(list, t.Topic, t.Partition, t.UnixTimeMilliseconds, name);
        });

    /// <summary>Partitions to assign, each starting at <paramref name="start"/>; a partition listed twice is refused.</summary>
    internal static SafeTopicPartitionListHandle StartingPositions(IEnumerable<TopicPartition> partitions, long start, string paramName) =>
        Checked(From(partitions, paramName), paramName, list =>
        {
            for (int i = 0; i < list.Count; i++)
            {
                list[i].Offset = start;
            }
        });

    /// <summary>
    /// Partitions to assign with their start offsets: an offset, Beginning or End as given; Stored (or Unset) becomes
    /// <paramref name="defaultStart"/>; anything else is refused, as is a partition listed twice.
    /// </summary>
    internal static SafeTopicPartitionListHandle StartingPositions(IEnumerable<TopicPartitionOffset> partitions, long defaultStart, string paramName) =>
        Checked(From(partitions, paramName), paramName, list =>
        {
            for (int i = 0; i < list.Count; i++)
            {
                long offset = list[i].Offset;
                if (offset == KafkaOffset.Stored || offset == KafkaOffset.Unset)
                {
                    list[i].Offset = defaultStart;
                }
                else if (offset < 0 && offset != KafkaOffset.Beginning && offset != KafkaOffset.End)
                {
                    throw new ArgumentOutOfRangeException(paramName, offset,
                        $"Start offset of {list.TopicAt(i)} [{list[i].Partition}] must be >= 0, KafkaOffset.Beginning, KafkaOffset.End or KafkaOffset.Stored.");
                }
            }
        });

    /// <summary>Refuses a list that names a partition twice (librdkafka would act on it twice or fail obscurely).</summary>
    internal static SafeTopicPartitionListHandle Distinct(SafeTopicPartitionListHandle list, string paramName) => Checked(list, paramName, static _ => { });

    /// <summary>Runs <paramref name="check"/> after the duplicate check; disposes the list when either throws.</summary>
    private static SafeTopicPartitionListHandle Checked(SafeTopicPartitionListHandle list, string paramName, Action<SafeTopicPartitionListHandle> check)
    {
        try
        {
            var seen = new HashSet<TopicPartition>();
            for (int i = 0; i < list.Count; i++)
            {
                var partition = new TopicPartition(list.TopicAt(i), list[i].Partition);
                if (!seen.Add(partition))
                {
                    throw new ArgumentException($"{partition} is listed twice.", paramName);
                }
            }

            check(list);
            return list;
        }
        catch
        {
            list.Dispose();
            throw;
        }
    }

    /// <summary>Copies the elements out as partitions (allocates; for callbacks and queries, not the message path).</summary>
    internal static TopicPartition[] ToPartitions(SafeTopicPartitionListHandle list)
    {
        var result = new TopicPartition[list.Count];
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = new TopicPartition(list.TopicAt(i), list[i].Partition);
        }

        return result;
    }

    /// <summary>Copies the elements out with their offsets.</summary>
    internal static TopicPartitionOffset[] ToOffsets(SafeTopicPartitionListHandle list)
    {
        var result = new TopicPartitionOffset[list.Count];
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = new TopicPartitionOffset(list.TopicAt(i), list[i].Partition, list[i].Offset);
        }

        return result;
    }

    private static SafeTopicPartitionListHandle Build<T>(IEnumerable<T> items, string paramName, Action<SafeTopicPartitionListHandle, T, string> add)
    {
        ArgumentNullException.ThrowIfNull(items, paramName);
        var list = SafeTopicPartitionListHandle.Create(items.TryGetNonEnumeratedCount(out int n) ? n : 4);
        try
        {
            foreach (T item in items)
            {
                add(list, item, paramName);
            }
        }
        catch
        {
            list.Dispose();
            throw;
        }

        return list;
    }

    /// <summary>Appends topic/partition/offset after validating the topic name and the partition.</summary>
    private static void Add(SafeTopicPartitionListHandle list, string topic, int partition, long offset, string paramName)
    {
        TopicName.Validate(topic, paramName);
        if (partition < 0)
        {
            throw new ArgumentOutOfRangeException(paramName, partition, $"Partition of '{topic}' must not be negative.");
        }

        list.Add(topic, partition, offset, leaderEpoch: -1);
    }
}

using KafkaFast.Configuration;
using KafkaFast.Native;

namespace KafkaFast.Consumer.Engine;

/// <summary>Questions about offsets: committed, positions, watermarks, offsets for times.</summary>
internal sealed partial class ConsumerEngine
{
    internal IReadOnlyList<TopicPartitionOffset> Committed(IEnumerable<TopicPartition> partitions, TimeSpan timeout)
    {
        int timeoutMs = ToTimeoutMs(timeout, nameof(timeout));
        RequireGroup("Committed");
        using var list = TopicPartitionLists.From(partitions, nameof(partitions));
        using var lease = Lease();
        ThrowIfError(LibRdKafka.Committed(lease.Pointer, list, timeoutMs), "read committed offsets");
        PartitionFailures.ThrowOnElementErrors(list, "read committed offsets");
        return TopicPartitionLists.ToOffsets(list);
    }

    internal IReadOnlyList<TopicPartitionOffset> Position(IEnumerable<TopicPartition> partitions)
    {
        using var list = TopicPartitionLists.From(partitions, nameof(partitions));
        using var lease = Lease();
        ThrowIfError(LibRdKafka.Position(lease.Pointer, list), "read positions");
        return TopicPartitionLists.ToOffsets(list);
    }

    internal WatermarkOffsets QueryWatermarkOffsets(TopicPartition partition, TimeSpan timeout)
    {
        int timeoutMs = ToTimeoutMs(timeout, nameof(timeout));
        TopicName.Validate(partition.Topic, nameof(partition));
        using var lease = Lease();
        ThrowIfError(LibRdKafka.QueryWatermarkOffsets(lease.Pointer, partition.Topic, partition.Partition, out long low, out long high, timeoutMs),
            $"query watermarks of {partition}");
        return new WatermarkOffsets(low, high);
    }

    internal WatermarkOffsets GetWatermarkOffsets(TopicPartition partition)
    {
        TopicName.Validate(partition.Topic, nameof(partition));
        using var lease = Lease();
        ThrowIfError(LibRdKafka.GetWatermarkOffsets(lease.Pointer, partition.Topic, partition.Partition, out long low, out long high),
            $"read watermarks of {partition}");
        return new WatermarkOffsets(low, high);
    }

    internal IReadOnlyList<TopicPartitionOffset> OffsetsForTimes(IEnumerable<TopicPartitionTimestamp> timestamps, TimeSpan timeout)
    {
        int timeoutMs = ToTimeoutMs(timeout, nameof(timeout));
        using SafeTopicPartitionListHandle list = TopicPartitionLists.Distinct(TopicPartitionLists.From(timestamps, nameof(timestamps)), nameof(timestamps));
        if (list.Count == 0)
        {
            return [];
        }

        using var lease = Lease();
        int err = LibRdKafka.OffsetsForTimes(lease.Pointer, list, timeoutMs);
        PartitionFailures.ThrowOnElementErrors(list, "look up offsets for times");
        ThrowIfError(err, "look up offsets for times");
        return TopicPartitionLists.ToOffsets(list);
    }
}

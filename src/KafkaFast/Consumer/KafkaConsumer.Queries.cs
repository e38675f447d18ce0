namespace KafkaFast.Consumer;

/// <summary>Questions about offsets: committed offsets, positions, watermarks, offsets for times.</summary>
public sealed partial class KafkaConsumer
{
    /// <summary>The group's committed offsets for <paramref name="partitions"/> (<see cref="KafkaOffset.Unset"/> where none), asked of the broker.</summary>
    /// <exception cref="InvalidOperationException">The consumer has no <see cref="GroupId"/>.</exception>
    public IReadOnlyList<TopicPartitionOffset> Committed(IEnumerable<TopicPartition> partitions, TimeSpan timeout) => _engine.Committed(partitions, timeout);

    /// <summary>The committed offsets of the current assignment.</summary>
    public IReadOnlyList<TopicPartitionOffset> Committed(TimeSpan timeout) => _engine.Committed(_engine.Assignment, timeout);

    /// <summary>The consumer's position in each partition: the offset of the next message it will return (<see cref="KafkaOffset.Unset"/> when none yet).</summary>
    public IReadOnlyList<TopicPartitionOffset> Position(IEnumerable<TopicPartition> partitions) => _engine.Position(partitions);

    /// <summary>Asks the partition's leader for its low and high watermarks.</summary>
    public WatermarkOffsets QueryWatermarkOffsets(TopicPartition partition, TimeSpan timeout) => _engine.QueryWatermarkOffsets(partition, timeout);

    /// <summary>The watermarks last reported by fetch responses (no request); <see cref="KafkaOffset.Unset"/> before the first fetch.</summary>
    public WatermarkOffsets GetWatermarkOffsets(TopicPartition partition) => _engine.GetWatermarkOffsets(partition);

    /// <summary>
    /// Per partition, the earliest offset whose timestamp is at or after the given time, asked of the partition
    /// leaders; <see cref="KafkaOffset.End"/> where no message is that recent. Pass the result to
    /// <see cref="Assign(IEnumerable{TopicPartitionOffset})"/> or <see cref="Seek(IEnumerable{TopicPartitionOffset})"/>
    /// to read from that time. Works without a group and for partitions not assigned to this consumer.
    /// </summary>
    /// <exception cref="ArgumentException">A topic name, partition or timestamp is invalid, or a partition is listed twice.</exception>
    /// <exception cref="KafkaException">The lookup failed or timed out (the message lists each failed partition and its reason).</exception>
    public IReadOnlyList<TopicPartitionOffset> OffsetsForTimes(IEnumerable<TopicPartitionTimestamp> timestamps, TimeSpan timeout) =>
        _engine.OffsetsForTimes(timestamps, timeout);

    /// <summary>The offsets of <paramref name="partitions"/> at <paramref name="time"/> (see <see cref="OffsetsForTimes(IEnumerable{TopicPartitionTimestamp}, TimeSpan)"/>).</summary>
    public IReadOnlyList<TopicPartitionOffset> OffsetsForTimes(IEnumerable<TopicPartition> partitions, DateTimeOffset time, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        return _engine.OffsetsForTimes(partitions.Select(p => new TopicPartitionTimestamp(p, time)), timeout);
    }
}

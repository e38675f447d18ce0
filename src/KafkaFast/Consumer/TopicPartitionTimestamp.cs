namespace KafkaFast.Consumer;

/// <summary>A partition and a point in time, to look up the first offset at or after that time (<see cref="KafkaConsumer.OffsetsForTimes(IEnumerable{TopicPartitionTimestamp}, TimeSpan)"/>).</summary>
/// <param name="Topic">The topic name.</param>
/// <param name="Partition">The partition number (0-based).</param>
/// <param name="UnixTimeMilliseconds">Milliseconds since 1970-01-01T00:00:00Z (>= 0), compared with the messages' timestamps.</param>
public readonly record struct TopicPartitionTimestamp(string Topic, int Partition, long UnixTimeMilliseconds)
{
    /// <summary>Creates a lookup from a partition and a time.</summary>
    public TopicPartitionTimestamp(TopicPartition partition, DateTimeOffset time)
        : this(partition.Topic, partition.Partition, time.ToUnixTimeMilliseconds())
    {
    }

    /// <summary>The topic and partition without the time.</summary>
    public TopicPartition TopicPartition => new(Topic, Partition);

    /// <inheritdoc/>
    public override string ToString() => $"{Topic} [{Partition}] @{DateTimeOffset.FromUnixTimeMilliseconds(UnixTimeMilliseconds):O}";
}

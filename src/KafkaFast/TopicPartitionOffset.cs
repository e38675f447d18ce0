namespace KafkaFast;

/// <summary>A position in a partition: for commits and seeks, the offset of the next message to read. Ordered by topic, partition, offset.</summary>
/// <param name="Topic">The topic name.</param>
/// <param name="Partition">The partition number (0-based).</param>
/// <param name="Offset">An offset (>= 0) or one of the <see cref="KafkaOffset"/> constants.</param>
public readonly record struct TopicPartitionOffset(string Topic, int Partition, long Offset) : IComparable<TopicPartitionOffset>
{
    /// <summary>Creates a position from a partition and an offset.</summary>
    public TopicPartitionOffset(TopicPartition partition, long offset) : this(partition.Topic, partition.Partition, offset)
    {
    }

    /// <summary>The topic and partition without the offset.</summary>
    public TopicPartition TopicPartition => new(Topic, Partition);

    /// <inheritdoc/>
    public int CompareTo(TopicPartitionOffset other)
    {
        int byPartition = TopicPartition.CompareTo(other.TopicPartition);
        return byPartition != 0 ? byPartition : Offset.CompareTo(other.Offset);
    }

    /// <summary>Compares by <see cref="CompareTo"/>.</summary>
    public static bool operator <(TopicPartitionOffset left, TopicPartitionOffset right) => left.CompareTo(right) < 0;

    /// <summary>Compares by <see cref="CompareTo"/>.</summary>
    public static bool operator <=(TopicPartitionOffset left, TopicPartitionOffset right) => left.CompareTo(right) <= 0;

    /// <summary>Compares by <see cref="CompareTo"/>.</summary>
    public static bool operator >(TopicPartitionOffset left, TopicPartitionOffset right) => left.CompareTo(right) > 0;

    /// <summary>Compares by <see cref="CompareTo"/>.</summary>
    public static bool operator >=(TopicPartitionOffset left, TopicPartitionOffset right) => left.CompareTo(right) >= 0;

    /// <inheritdoc/>
    public override string ToString() => $"{Topic} [{Partition}] @{KafkaOffset.ToString(Offset)}";
}

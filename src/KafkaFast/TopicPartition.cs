namespace KafkaFast;

/// <summary>A partition of a topic. Ordered by topic (ordinal), then partition.</summary>
/// <param name="Topic">The topic name.</param>
/// <param name="Partition">The partition number (0-based).</param>
public readonly record struct TopicPartition(string Topic, int Partition) : IComparable<TopicPartition>
{
    /// <inheritdoc/>
    public int CompareTo(TopicPartition other)
    {
        int byTopic = string.CompareOrdinal(Topic, other.Topic);
        return byTopic != 0 ? byTopic : Partition.CompareTo(other.Partition);
    }

    /// <summary>Compares by <see cref="CompareTo"/>.</summary>
    public static bool operator <(TopicPartition left, TopicPartition right) => left.CompareTo(right) < 0;

    /// <summary>Compares by <see cref="CompareTo"/>.</summary>
    public static bool operator <=(TopicPartition left, TopicPartition right) => left.CompareTo(right) <= 0;

    /// <summary>Compares by <see cref="CompareTo"/>.</summary>
    public static bool operator >(TopicPartition left, TopicPartition right) => left.CompareTo(right) > 0;

    /// <summary>Compares by <see cref="CompareTo"/>.</summary>
    public static bool operator >=(TopicPartition left, TopicPartition right) => left.CompareTo(right) >= 0;

    /// <inheritdoc/>
    public override string ToString() => $"{Topic} [{Partition}]";
}

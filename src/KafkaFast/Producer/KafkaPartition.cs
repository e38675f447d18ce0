namespace KafkaFast.Producer;

/// <summary>Partition numbers with a special meaning.</summary>
public static class KafkaPartition
{
    /// <summary>Let the producer's partitioner choose (from the key, or sticky-random without one).</summary>
    public const int Any = -1;
}

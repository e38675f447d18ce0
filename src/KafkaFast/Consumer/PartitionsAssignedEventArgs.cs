namespace KafkaFast.Consumer;

/// <summary>Partitions the group gave this consumer. Raised after they are assigned, so Seek, Pause and Committed work on them.</summary>
public sealed class PartitionsAssignedEventArgs : EventArgs
{
    internal PartitionsAssignedEventArgs(IReadOnlyList<TopicPartition> partitions, bool incremental)
    {
        Partitions = partitions;
        IsIncremental = incremental;
    }

    /// <summary>The partitions added (cooperative) or the whole new assignment (eager).</summary>
    public IReadOnlyList<TopicPartition> Partitions { get; }

    /// <summary>True with the cooperative protocol: these partitions are added to the ones already owned.</summary>
    public bool IsIncremental { get; }
}

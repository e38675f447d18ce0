namespace KafkaFast.Consumer;

/// <summary>
/// Partitions being taken from this consumer by a rebalance. Raised before they are unassigned, on the thread that is
/// consuming (or closing): commit what was processed now (<see cref="KafkaConsumer.Commit()"/>). Partitions lost
/// without a rebalance (session timeout, fenced) raise <see cref="KafkaConsumer.PartitionsLost"/> instead.
/// </summary>
public sealed class PartitionsRevokedEventArgs : EventArgs
{
    internal PartitionsRevokedEventArgs(IReadOnlyList<TopicPartition> partitions, bool incremental)
    {
        Partitions = partitions;
        IsIncremental = incremental;
    }

    /// <summary>The partitions revoked.</summary>
    public IReadOnlyList<TopicPartition> Partitions { get; }

    /// <summary>True with the cooperative protocol: only these partitions go; the others stay assigned.</summary>
    public bool IsIncremental { get; }
}

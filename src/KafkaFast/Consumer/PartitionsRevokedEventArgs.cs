namespace KafkaFast.Consumer;

/// <summary>
/// Partitions being taken from this consumer. Raised before they are unassigned, on the thread that is consuming
/// (or closing): commit what was processed now (<see cref="KafkaConsumer.Commit()"/>), unless <see cref="Lost"/>.
/// </summary>
public sealed class PartitionsRevokedEventArgs : EventArgs
{
    internal PartitionsRevokedEventArgs(IReadOnlyList<TopicPartition> partitions, bool lost, bool incremental)
    {
        Partitions = partitions;
        Lost = lost;
        IsIncremental = incremental;
    }

    /// <summary>The partitions revoked.</summary>
    public IReadOnlyList<TopicPartition> Partitions { get; }

    /// <summary>
    /// True when the partitions were lost (session timeout, max.poll.interval.ms exceeded, fatal error): they may
    /// already belong to another member and commits for them will fail.
    /// </summary>
    public bool Lost { get; }

    /// <summary>True with the cooperative protocol: only these partitions go; the others stay assigned.</summary>
    public bool IsIncremental { get; }
}

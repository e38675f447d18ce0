namespace KafkaFast.Consumer;

/// <summary>
/// Partitions this member lost without a rebalance: its session timed out (no heartbeat reached the coordinator
/// within the session timeout), it was fenced (the coordinator no longer knows its member id or generation), or it
/// exceeded max.poll.interval.ms. Raised on the consuming (or closing) thread instead of
/// <see cref="KafkaConsumer.PartitionsRevoked"/>: the partitions may already belong to another member, so nothing is
/// committed for them (librdkafka refuses, and the consumer stores nothing more for them); stop processing what you
/// still hold of them. The member then rejoins the group, which assigns partitions again.
/// </summary>
public sealed class PartitionsLostEventArgs : EventArgs
{
    internal PartitionsLostEventArgs(IReadOnlyList<TopicPartition> partitions, bool incremental)
    {
        Partitions = partitions;
        IsIncremental = incremental;
    }

    /// <summary>The partitions lost.</summary>
    public IReadOnlyList<TopicPartition> Partitions { get; }

    /// <summary>True with the cooperative protocol (the member keeps nothing it owned either way).</summary>
    public bool IsIncremental { get; }
}

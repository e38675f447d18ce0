namespace KafkaFast.Admin;

/// <summary>A consumer group's state (librdkafka's rd_kafka_consumer_group_state_t).</summary>
public enum ConsumerGroupState
{
    /// <summary>Unknown (or not reported).</summary>
    Unknown = 0,

    /// <summary>Members are joining: a rebalance started.</summary>
    PreparingRebalance = 1,

    /// <summary>Waiting for the leader's assignment.</summary>
    CompletingRebalance = 2,

    /// <summary>Members are consuming.</summary>
    Stable = 3,

    /// <summary>The group has no members and no offsets; it is being removed.</summary>
    Dead = 4,

    /// <summary>No members, but committed offsets remain.</summary>
    Empty = 5,
}

namespace KafkaFast.Producer;

/// <summary>Why the producer refused a message at the call (nothing was accepted). Each is counted.</summary>
public enum ProduceRejectReason
{
    /// <summary>The memory budget was full (and, for waiting calls, stayed full until the deadline).</summary>
    BudgetFull,
    /// <summary>The producer was closing or closed.</summary>
    Closed,
    /// <summary>Key, value and headers together exceed message.max.bytes.</summary>
    MessageTooLarge,
    /// <summary>An explicit partition outside the topic's partitions.</summary>
    InvalidPartition,
    /// <summary>The producer hit a fatal error (e.g. idempotence broken) and can no longer deliver.</summary>
    Fatal,
}

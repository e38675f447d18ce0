namespace KafkaFast.Chaos.Faults;

/// <summary>The faults the scheduler injects.</summary>
internal enum FaultKind
{
    /// <summary>One broker down for 1-5 s.</summary>
    BrokerDown,
    /// <summary>Every broker down for longer than the message timeout (and than the budget can absorb at the offered load).</summary>
    AllBrokersDownLong,
    /// <summary>One broker's, or every broker's, responses delayed 100-1500 ms for 2-6 s.</summary>
    RttSpike,
    /// <summary>The next 1-30 Produce requests fail with retriable errors (not leader, timed out, not enough replicas, ...).</summary>
    RetriableProduceErrors,
    /// <summary>The next 1-3 Produce requests fail with a non-retriable error (INVALID_RECORD): those messages fail with a reason.</summary>
    PermanentProduceErrors,
    /// <summary>A partition's leadership moves to another broker.</summary>
    LeaderMove,
    /// <summary>A consumer-group member joins.</summary>
    GroupMemberJoins,
    /// <summary>A consumer-group member finishes its batch, closes and leaves.</summary>
    GroupMemberLeaves,
}

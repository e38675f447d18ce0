namespace KafkaFast.Producer;

/// <summary>
/// A snapshot of a producer's counters. <see cref="Accepted"/> = <see cref="Delivered"/> + <see cref="Failed"/> +
/// <see cref="InFlight"/> at every moment; every call that was refused is in <see cref="Rejected"/>.
/// </summary>
public sealed class ProducerStatistics
{
    /// <summary>Messages accepted by produce calls.</summary>
    public long Accepted { get; init; }

    /// <summary>Messages the broker acknowledged.</summary>
    public long Delivered { get; init; }

    /// <summary>Messages that were accepted but failed (see <see cref="FailedByError"/>).</summary>
    public long Failed { get; init; }

    /// <summary>Accepted and not yet delivered or failed.</summary>
    public long InFlight => Accepted - Delivered - Failed;

    /// <summary>Calls refused, by reason (nothing of theirs was accepted).</summary>
    public IReadOnlyDictionary<ProduceRejectReason, long> Rejected { get; init; } = new Dictionary<ProduceRejectReason, long>();

    /// <summary>Failed messages by error code.</summary>
    public IReadOnlyDictionary<KafkaErrorCode, long> FailedByError { get; init; } = new Dictionary<KafkaErrorCode, long>();

    /// <summary>Failures dropped from <see cref="KafkaProducer.Failures"/> because nobody read it in time (still counted in <see cref="Failed"/>).</summary>
    public long FailuresDropped { get; init; }

    /// <summary>The memory budget in bytes (whole slabs).</summary>
    public long BudgetBytes { get; init; }

    /// <summary>
    /// Bytes of the budget in use: slabs holding messages not yet reported, plus librdkafka's share for the messages
    /// handed to it (<see cref="BudgetBytesForLibrdkafka"/>). The slab each client is writing into counts until it is
    /// full and its messages are reported, so after a flush this stays at up to one slab per client that has written
    /// (reused by the next messages, not a leak); after close it is 0.
    /// </summary>
    public long BudgetBytesInUse { get; init; }

    /// <summary>Of <see cref="BudgetBytesInUse"/>, what is charged for librdkafka's own copies of the messages handed to it (~224 bytes plus the key each).</summary>
    public long BudgetBytesForLibrdkafka { get; init; }

    /// <summary>The slab size: the granularity of the budget.</summary>
    public int SlabSize { get; init; }

    /// <summary>Whether a fatal error stopped the producer.</summary>
    public bool IsFatal { get; init; }

    /// <summary>The fatal error, if any.</summary>
    public string? FatalReason { get; init; }

    /// <summary>librdkafka's latest statistics JSON per client (set statistics.interval.ms in Properties to get them).</summary>
    public IReadOnlyList<string?> LibrdkafkaStatistics { get; init; } = [];

    /// <summary>
    /// Partitions holding messages that have made no progress (no hand-off to librdkafka, no delivery report) for
    /// over 5 seconds: an unreachable leader, a broker outage, or a stuck partition. Empty when all is well.
    /// </summary>
    public IReadOnlyList<StalledPartition> StalledPartitions { get; init; } = [];

    /// <summary>
    /// Topics whose partitions are not known yet (the cluster has not answered since they were resolved): their
    /// messages are accepted and wait in the producer until it does, or until the message timeout.
    /// </summary>
    public IReadOnlyList<string> PendingTopics { get; init; } = [];

    /// <summary>Total calls refused for any reason.</summary>
    public long RejectedTotal => Rejected.Values.Sum();

    /// <inheritdoc/>
    public override string ToString() =>
        $"accepted {Accepted}, delivered {Delivered}, failed {Failed}, in flight {InFlight}, rejected {RejectedTotal}, budget {BudgetBytesInUse}/{BudgetBytes} bytes";
}

namespace KafkaFast.Chaos.Producing;

/// <summary>What the producer process reports at its end (summary.json), for the checker and the report.</summary>
internal sealed record ProducerSummary
{
    public List<StreamSummary> Streams { get; init; } = [];

    public long StatsAccepted { get; init; }

    public long StatsDelivered { get; init; }

    public long StatsFailed { get; init; }

    public long StatsInFlight { get; init; }

    public Dictionary<string, long> StatsRejected { get; init; } = [];

    public Dictionary<string, long> StatsFailedByError { get; init; } = [];

    public long StatsFailuresDropped { get; init; }

    public long StatsBudgetBytesInUseAfterFlush { get; init; }

    public long StatsBudgetBytesInUseAfterClose { get; init; }

    public int SlabSize { get; init; }

    public bool StatsIsFatal { get; init; }

    public string? StatsFatalReason { get; init; }

    public long FlushLeft { get; init; }

    public long CloseAccepted { get; init; }

    public long CloseDelivered { get; init; }

    public long CloseFailed { get; init; }

    public long ClosePurged { get; init; }

    public long FailuresRecorded { get; init; }

    public long FailuresWithoutReason { get; init; }

    public long FailuresUnidentified { get; init; }

    public bool FailuresChannelCompleted { get; init; }

    public Dictionary<string, string> FailureReasons { get; init; } = [];

    public List<string> Examples { get; init; } = [];

    public long AsyncDelivered { get; init; }

    public long AsyncFailed { get; init; }

    public long BudgetBytes { get; init; }

    /// <summary>RSS before the producer was built (runtime only).</summary>
    public long ResidentBytesBeforeProducer { get; init; }

    /// <summary>RSS once the producer was built and the topic resolved, before the first message: the bound's base.</summary>
    public long BaselineResidentBytes { get; init; }

    public long MinResidentBytes { get; init; }

    public long MaxResidentBytes { get; init; }

    public int BaselineThreads { get; init; }

    public int MinThreads { get; init; }

    public int MaxThreads { get; init; }

    public int MinKafkaThreads { get; init; }

    public int MaxKafkaThreads { get; init; }

    public int KafkaThreadBound { get; init; }

    public long ResourceSamples { get; init; }

    public List<ResourceSample> Timeline { get; init; } = [];

    public long LatencySamples { get; init; }

    public long LatencyP50Ns { get; init; }

    public long LatencyP99Ns { get; init; }

    public long LatencyP999Ns { get; init; }

    public long LatencyMaxNs { get; init; }

    public double ProduceSeconds { get; init; }

    public double DrainSeconds { get; init; }
}

/// <summary>One producing thread's counts.</summary>
internal sealed record StreamSummary(int Index, string Kind, long Accepted, long RefusedCalls, string? Failure);

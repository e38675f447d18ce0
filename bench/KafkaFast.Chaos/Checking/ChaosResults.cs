using KafkaFast.Chaos.Faults;
using KafkaFast.Chaos.Group;
using KafkaFast.Chaos.Producing;
using KafkaFast.Chaos.Reading;

namespace KafkaFast.Chaos.Checking;

/// <summary>Everything a finished run gathered, for the checks and the report.</summary>
internal sealed record ChaosResults
{
    public required ChaosSettings Settings { get; init; }

    public required string Command { get; init; }

    public ProducerSummary? Producer { get; init; }

    public int? ProducerExitCode { get; init; }

    public long ProducerStderrLines { get; init; }

    public required IReadOnlyDictionary<FaultKind, int> Faults { get; init; }

    public required IReadOnlyList<TopicReader> Readers { get; init; }

    public required IReadOnlyList<MessageTally> Tallies { get; init; }

    /// <summary>The tallies of KafkaFast's streams only (the producer's counters know nothing of a Confluent peer).</summary>
    public required IReadOnlyList<MessageTally> KafkaFastTallies { get; init; }

    public required IReadOnlyList<long> EndOffsets { get; init; }

    public bool ReadersReachedEnd { get; init; }

    public required IReadOnlyDictionary<ulong, OutcomeFiles.FailureRecord> Failures { get; init; }

    public long AsyncOutcomes { get; init; }

    public long AsyncPlacementMismatches { get; init; }

    public long AsyncFailuresNotReported { get; init; }

    public List<string> AsyncExamples { get; init; } = [];

    public required ConsumerGroup Group { get; init; }

    public long GroupMissing { get; init; }

    /// <summary>The Confluent.Kafka peer group (--confluent-peer), reported beside ours, not checked.</summary>
    public ConsumerGroup? PeerGroup { get; init; }

    public long PeerGroupMissing { get; init; }

    public List<string> GroupMissingExamples { get; init; } = [];

    public List<string> GroupMembersNotStopped { get; init; } = [];

    public bool GroupReachedEnd { get; init; }

    public TimeSpan Elapsed { get; init; }
}

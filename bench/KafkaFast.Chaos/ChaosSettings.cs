using KafkaFast.Chaos.Messages;

namespace KafkaFast.Chaos;

/// <summary>One chaos run's settings (the command line's, also handed to the producer process as JSON).</summary>
internal sealed record ChaosSettings
{
    /// <summary>Seeds the fault schedule and every message's content; printed, and rerun with --seed.</summary>
    public ulong Seed { get; init; }

    /// <summary>How long the producers run while faults are injected.</summary>
    public int Seconds { get; init; } = 60;

    /// <summary>Offered load over all streams, in messages per second.</summary>
    public int Rate { get; init; } = 8_000;

    /// <summary>Producing threads; their kinds cycle through single, batch, awaitable, text.</summary>
    public int Streams { get; init; } = 4;

    public int MaxClients { get; init; } = 2;

    public int BudgetMiB { get; init; } = 16;

    /// <summary>The producer's message timeout; the long outage lasts longer than this.</summary>
    public int MessageTimeoutSeconds { get; init; } = 8;

    public int Partitions { get; init; } = 12;

    public int Brokers { get; init; } = 3;

    /// <summary>The consumer group has 1..this many members.</summary>
    public int MaxGroupMembers { get; init; } = 3;

    /// <summary>Where the run's files go (producer summary, failures, report).</summary>
    public string OutputDirectory { get; init; } = "";

    /// <summary>Check ids that are known to fail (a bug posted, its fix not landed): reported, not counted.</summary>
    public IReadOnlyList<string> KnownFailures { get; init; } = [];

    public string Topic { get; init; } = "";

    public string BootstrapServers { get; init; } = "";

    internal long BudgetBytes => BudgetMiB * 1024L * 1024;

    /// <summary>Adds a Confluent.Kafka producer stream (index <see cref="Streams"/>) to the producer process: a diagnosis
    /// run (its buffers count in that process's RSS), to tell a KafkaFast loss from librdkafka's or the cluster's.</summary>
    public bool ConfluentPeer { get; init; }

    /// <summary>
    /// librdkafka's max.in.flight.requests.per.connection for the producers (KafkaFast's and the Confluent peer's).
    /// Default 1: the embedded cluster does not check idempotent sequence numbers, so with several requests in flight
    /// a request appended after an earlier one failed makes librdkafka count the earlier one delivered (it assumes
    /// the broker kept order, as Kafka does): messages lost by the cluster, not by the client (Confluent.Kafka loses
    /// them the same way). 5 (librdkafka's default) shows it.
    /// </summary>
    public int MaxInFlight { get; init; } = 1;

    /// <summary>The fault kinds to inject (default: all).</summary>
    public IReadOnlyList<Faults.FaultKind> Faults { get; init; } = Enum.GetValues<Faults.FaultKind>();

    internal StreamKind KindOf(int stream) => ConfluentPeer && stream == Streams ? StreamKind.ConfluentPeer : (StreamKind)(stream % 4);

    internal bool IsKafkaFastStream(int stream) => stream < Streams;

    internal MessageFactory CreateFactory() => new(Seed, Partitions, KindOf);

    /// <summary>What the command line says, checked: the first bad value, or null.</summary>
    internal string? Problem() =>
        Seconds < 5 ? $"--seconds must be at least 5 (was {Seconds})"
        : Rate < 1 ? $"--rate must be positive (was {Rate})"
        : Streams is < 1 or >= MessageId.MaxStreams ? $"--streams must be 1..{MessageId.MaxStreams - 1} (was {Streams})"
        : MaxClients is < 1 or > 64 ? $"--max-clients must be 1..64 (was {MaxClients})"
        : BudgetMiB < 8 ? $"--budget-mib must be at least 8 (was {BudgetMiB})"
        : MessageTimeoutSeconds < 1 ? $"--message-timeout must be at least 1 s (was {MessageTimeoutSeconds})"
        : Partitions is < 1 or > 1000 ? $"--partitions must be 1..1000 (was {Partitions})"
        : Brokers is < 1 or > 10 ? $"--brokers must be 1..10 (was {Brokers})"
        : MaxInFlight is < 1 or > 5 ? $"--max-in-flight must be 1..5 (idempotence) (was {MaxInFlight})"
        : MaxGroupMembers < 1 ? $"--group-members must be at least 1 (was {MaxGroupMembers})"
        : null;
}

using System.CommandLine;

namespace KafkaFast.Chaos;

/// <summary>The chaos program's command line (System.CommandLine, like the benchmark's and the tool's).</summary>
internal sealed class ChaosCommandLine
{
    private readonly Option<ulong?> _seed = new("--seed") { Description = "Seed of the fault schedule and the messages (default: random, printed); rerun a run with its seed" };
    private readonly Option<int> _seconds = new("--seconds") { Description = "How long producers run while faults are injected (default 60; an hour: 3600)", DefaultValueFactory = _ => 60 };
    private readonly Option<int> _rate = new("--rate") { Description = "Offered messages per second over all streams (default 8000)", DefaultValueFactory = _ => 8000 };
    private readonly Option<int> _streams = new("--streams") { Description = "Producing threads: single, batch, awaitable, text, in turn (default 4)", DefaultValueFactory = _ => 4 };
    private readonly Option<int> _maxClients = new("--max-clients") { Description = "The producer's MaxClients (default 2)", DefaultValueFactory = _ => 2 };
    private readonly Option<int> _budgetMib = new("--budget-mib") { Description = "The producer's memory budget in MiB (default 16: the long outage fills it)", DefaultValueFactory = _ => 16 };
    private readonly Option<int> _messageTimeout = new("--message-timeout") { Description = "The producer's message timeout in seconds; the long outage lasts 1.5x this (default 8)", DefaultValueFactory = _ => 8 };
    private readonly Option<int> _partitions = new("--partitions") { Description = "Partitions of the chaos topic (default 12)", DefaultValueFactory = _ => 12 };
    private readonly Option<int> _brokers = new("--brokers") { Description = "Brokers of the embedded cluster (default 3)", DefaultValueFactory = _ => 3 };
    private readonly Option<int> _groupMembers = new("--group-members") { Description = "Largest consumer group (1..N members join and leave; default 3)", DefaultValueFactory = _ => 3 };
    private readonly Option<string[]> _knownFailure = new("--known-failure")
    {
        Description = "A check id that is known to fail (bug posted, fix not landed): reported as KNOWN, not counted (repeatable; the report says when it holds again)",
        HelpName = "CHECK-ID",
        AllowMultipleArgumentsPerToken = false,
    };

    private readonly Option<bool> _confluentPeer = new("--confluent-peer")
    {
        Description = "Diagnosis: one more producing thread with Confluent.Kafka in the producer process, same faults, same checks (its memory counts in that process's RSS)",
    };

    private readonly Option<Faults.FaultKind[]> _faults = new("--faults")
    {
        Description = "Only these fault kinds, comma-separated (default all): " + string.Join(", ", Enum.GetNames<Faults.FaultKind>()),
        HelpName = "KINDS",
        CustomParser = result => result.Tokens.SelectMany(t => t.Value.Split(',', StringSplitOptions.RemoveEmptyEntries))
            .Select(k => Enum.TryParse(k, ignoreCase: true, out Faults.FaultKind kind) ? kind : throw new ArgumentException($"--faults: unknown kind '{k}'"))
            .ToArray(),
    };

    private readonly Option<int> _maxInFlight = new("--max-in-flight")
    {
        Description = "max.in.flight.requests.per.connection of the producers (default 1: the embedded cluster does not check idempotent sequences, " +
                      "so with more a failed request followed by an appended one makes librdkafka count the failed one delivered; 5 shows it)",
        DefaultValueFactory = _ => 1,
    };

    private readonly Option<string> _out = new("--out") { Description = "Directory for the run's files (default: a new one under the temp directory)", HelpName = "DIR" };

    internal ChaosCommandLine()
    {
        Root = new RootCommand(
            "KafkaFast chaos run: producers at a steady rate while a seeded scheduler injects broker faults into the embedded cluster " +
            "(a child process); two independent readers and a consumer group check that nothing was lost, duplicated, damaged or reordered.\n" +
            "Usage: dotnet run -c Release --project bench/KafkaFast.Chaos -- [options]")
        {
            _seed, _seconds, _rate, _streams, _maxClients, _budgetMib, _messageTimeout, _partitions, _brokers, _groupMembers, _knownFailure, _confluentPeer, _faults, _maxInFlight, _out,
        };
    }

    internal RootCommand Root { get; }

    internal ChaosSettings Settings(ParseResult result) => new()
    {
        Seed = result.GetValue(_seed) ?? (ulong)Random.Shared.NextInt64(1, int.MaxValue),
        Seconds = result.GetValue(_seconds),
        Rate = result.GetValue(_rate),
        Streams = result.GetValue(_streams),
        MaxClients = result.GetValue(_maxClients),
        BudgetMiB = result.GetValue(_budgetMib),
        MessageTimeoutSeconds = result.GetValue(_messageTimeout),
        Partitions = result.GetValue(_partitions),
        Brokers = result.GetValue(_brokers),
        MaxGroupMembers = result.GetValue(_groupMembers),
        OutputDirectory = result.GetValue(_out) ?? "",
        KnownFailures = result.GetValue(_knownFailure) ?? [],
        ConfluentPeer = result.GetValue(_confluentPeer),
        MaxInFlight = result.GetValue(_maxInFlight),
        Faults = result.GetValue(_faults) is { Length: > 0 } kinds ? kinds : Enum.GetValues<Faults.FaultKind>(),
    };
}

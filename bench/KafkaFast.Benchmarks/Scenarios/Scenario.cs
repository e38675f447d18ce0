using KafkaFast.Benchmarks.Broker;
using KafkaFast.Benchmarks.Measurement;
using KafkaFast.Benchmarks.Workload;
using KafkaFast.Measurement;

namespace KafkaFast.Benchmarks.Scenarios;

/// <summary>
/// One benchmark scenario: given a context (the broker host, the messages, how many), it runs once and returns
/// what it measured. The runner repeats it, interleaved with the others, and reports medians. A consumer scenario
/// implements this too: fill a topic in <see cref="Run"/>'s set-up, then measure the consuming.
/// </summary>
internal interface IScenario
{
    /// <summary>Short id used in tables and --only ("1".."7").</summary>
    string Id { get; }

    /// <summary>What it does, for the table.</summary>
    string Name { get; }

    /// <summary>The library under test ("KafkaFast", "Confluent.Kafka").</summary>
    string Library { get; }

    /// <summary>Whether it is one of the awaited (256 concurrent loops) scenarios, which use their own message count.</summary>
    bool Awaited { get; }

    ScenarioResult Run(ScenarioContext context);
}

/// <summary>What a scenario run gets: the cluster, the workload, the counts, the settings.</summary>
internal sealed class ScenarioContext(BenchSettings settings, BrokerProcess broker, MessageSet messages, long count, long warmup)
{
    internal BenchSettings Settings { get; } = settings;

    internal BrokerProcess Broker { get; } = broker;

    internal MessageSet Messages { get; } = messages;

    /// <summary>Messages to measure.</summary>
    internal long Count { get; } = count;

    /// <summary>Messages to send first, unmeasured (JIT tiering, connections, pools).</summary>
    internal long Warmup { get; } = warmup;

    /// <summary>A fresh topic with the benchmark's partition count.</summary>
    internal string NewTopic(string prefix) => Broker.CreateTopic(prefix, BenchSettings.Partitions);
}

/// <summary>One run of a throughput scenario. A run whose delivered count is off has <see cref="Ok"/> = false and its numbers are not reported.</summary>
internal sealed record ScenarioResult
{
    internal required string ScenarioId { get; init; }
    internal required bool Ok { get; init; }
    internal string? Error { get; init; }
    internal long Messages { get; init; }
    internal long Delivered { get; init; }
    internal long Failed { get; init; }
    internal long Retries { get; init; }
    internal Measured? Measured { get; init; }
    internal LatencySummary CallLatency { get; init; } = LatencySummary.Empty;
    internal LatencySummary? DeliveryLatency { get; init; }

    internal double CpuNsPerMessage => Measured!.CpuNs / (double)Messages;
    internal double MessagesPerCpuSecond => Messages / (Measured!.CpuNs / 1e9);
    internal double MessagesPerWallSecond => Messages / (Measured!.WallNs / 1e9);
    internal double AllocatedPerMessage => Measured!.AllocatedBytes / (double)Messages;

    internal static ScenarioResult Failure(string id, string error, long messages = 0, long delivered = 0, long failed = 0) =>
        new() { ScenarioId = id, Ok = false, Error = error, Messages = messages, Delivered = delivered, Failed = failed };
}

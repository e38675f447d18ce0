using System.Text.Json;
using System.Text.Json.Serialization;

namespace KafkaFast.Benchmarks.Matrix;

/// <summary>What one producer process of the matrix runs (handed to the child as JSON).</summary>
internal sealed record MatrixRunSpec
{
    /// <summary>camelCase (the raw C program writes the same names), enums as names.</summary>
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    public required MatrixClient Client { get; init; }
    public required string Bootstrap { get; init; }
    public required string Topic { get; init; }

    /// <summary>Measured messages (sequences Warmup .. Warmup + Messages - 1).</summary>
    public required long Messages { get; init; }

    /// <summary>Unmeasured messages first (sequences 0 .. Warmup - 1): two rounds, each until delivered.</summary>
    public required long Warmup { get; init; }

    /// <summary>Messages per second, 0 = flat out.</summary>
    public required int Rate { get; init; }

    /// <summary>Every K-th measured message is timed from the produce call to its delivery report.</summary>
    public required int SampleEvery { get; init; }

    /// <summary>KafkaFast's MemoryBudgetBytes (null: the library's default).</summary>
    public long? BudgetBytes { get; init; }

    public IReadOnlyDictionary<string, string> Properties { get; init; } = new Dictionary<string, string>();

    public int TimeoutSeconds { get; init; } = 600;

    internal long Total => Warmup + Messages;
}

/// <summary>One thread's CPU in the measured interval.</summary>
internal sealed record MatrixThread(string Name, long CpuNs);

/// <summary>What a producer process measured; the raw C program prints the same fields.</summary>
internal sealed record MatrixRunResult
{
    public string Client { get; init; } = "";

    /// <summary>Messages produced in all (warm-up + measured).</summary>
    public long Produced { get; init; }

    public long Measured { get; init; }

    /// <summary>Delivery reports, warm-up included.</summary>
    public long Delivered { get; init; }

    public long Failed { get; init; }

    /// <summary>Refusals (budget or queue full) retried by the caller.</summary>
    public long Retries { get; init; }

    /// <summary>Every report arrived before the timeout.</summary>
    public bool Complete { get; init; }

    public long CpuNs { get; init; }
    public long UserNs { get; init; }
    public long SystemNs { get; init; }
    public long WallNs { get; init; }

    /// <summary>Peak RSS of the whole producer process (VmHWM at the end).</summary>
    public long PeakRssBytes { get; init; }

    public long AllocatedBytes { get; init; }
    public int Gen0 { get; init; }
    public int Gen1 { get; init; }
    public int Gen2 { get; init; }

    /// <summary>Timed messages (the raw C program writes their latencies to a file instead).</summary>
    public long LatencySamples { get; init; }

    /// <summary>Probes not timed because the previous use of their slot was still in flight.</summary>
    public long ProbesSkipped { get; init; }

    public long LatencyP50Ns { get; init; }
    public long LatencyP99Ns { get; init; }
    public long LatencyP999Ns { get; init; }
    public long LatencyMaxNs { get; init; }

    /// <summary>The librdkafka file(s) mapped into the process (';' between several).</summary>
    public string Librdkafka { get; init; } = "";

    public string LibrdkafkaVersion { get; init; } = "";

    /// <summary>The first delivery error, or empty.</summary>
    public string Error { get; init; } = "";

    public IReadOnlyList<MatrixThread> Threads { get; init; } = [];
}

using KafkaFast.Benchmarks.Matrix;

namespace KafkaFast.Benchmarks;

/// <summary>
/// What to run, read from the command line (<see cref="BenchCommandLine"/>). Every default is the full run;
/// --quick supplies small defaults for CI smoke (options given explicitly still win).
/// </summary>
internal sealed class BenchSettings
{
    internal const int Partitions = 6;
    internal const int Brokers = 3;
    internal const int BatchSize = 100;
    internal const int Concurrency = 256;
    internal static readonly TimeSpan Linger = TimeSpan.FromMilliseconds(5);

    internal long Messages { get; init; } = 5_000_000;
    internal long? AsyncMessagesOverride { get; init; }
    internal long? Messages1KOverride { get; init; }
    internal long? WarmupOverride { get; init; }
    internal int Repeat { get; init; } = 3;
    internal bool Quick { get; init; }
    internal bool Include1K { get; init; } = true;
    internal bool IncludeOverload { get; init; } = true;
    internal IReadOnlySet<string>? Only { get; init; }
    internal int SampleEvery { get; init; } = 64;
    internal TimeSpan OverloadDuration { get; init; } = TimeSpan.FromSeconds(10);
    internal int OverloadRate { get; init; } = 1_000_000;
    internal long OverloadBudgetBytes { get; init; } = 16L * 1024 * 1024;
    internal TimeSpan OverloadRtt { get; init; } = TimeSpan.FromMilliseconds(200);
    internal int OverloadRepeat { get; init; } = 1;
    internal long? KafkaFastBudgetBytes { get; init; }
    internal IReadOnlyDictionary<string, string> KafkaFastProperties { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);
    internal IReadOnlyDictionary<string, string> ConfluentProperties { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);
    internal string? DocsPath { get; init; }
    internal bool WriteDocs { get; init; }
    internal string? JsonPath { get; init; }
    internal IReadOnlyList<string> Arguments { get; init; } = [];

    /// <summary>--matrix: the latency matrix instead of the scenarios.</summary>
    internal bool Matrix { get; init; }

    /// <summary>--no-matrix: no matrix cell in --quick.</summary>
    internal bool NoMatrix { get; init; }

    internal IReadOnlyList<MatrixCell> MatrixCells { get; init; } = MatrixCell.All;
    internal IReadOnlyList<MatrixClient> MatrixClients { get; init; } = [MatrixClient.RawC, MatrixClient.KafkaFast, MatrixClient.Confluent];

    /// <summary>Measured messages in a flat-out cell.</summary>
    internal long MatrixMessages { get; init; } = 1_000_000;

    /// <summary>Length of a paced cell: rate x seconds messages.</summary>
    internal double MatrixSeconds { get; init; } = 8;

    /// <summary>KafkaFast's budgets (one row each) in the flat-out cells at 200 ms RTT or more.</summary>
    internal IReadOnlyList<long> MatrixBudgetsBytes { get; init; } = [16L * 1024 * 1024, 64L * 1024 * 1024];

    internal int MatrixRepeat { get; init; } = 1;
    internal IReadOnlyDictionary<string, string> RawCProperties { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>The scenarios (and overload) run unless --matrix asks for the matrix alone.</summary>
    internal bool RunScenarios => !Matrix;

    /// <summary>The matrix runs with --matrix, and one cell of it in --quick (unless --no-matrix).</summary>
    internal bool RunMatrix => Matrix || (Quick && !NoMatrix);

    /// <summary>Messages for the awaited scenarios (256 loops, each waits a full linger + round trip per message).</summary>
    internal long AsyncMessages => AsyncMessagesOverride ?? Math.Max(1, Messages / 10);

    /// <summary>Messages for the 1 KiB-value variant (10x the bytes per message).</summary>
    internal long Messages1K => Messages1KOverride ?? Math.Max(1, Messages / 5);

    /// <summary>Warm-up messages per round (two rounds) before each measured run: min(200k, a fifth of the run), same producer and topic.</summary>
    internal long WarmupFor(long messages) => Math.Min(WarmupOverride ?? 200_000, Math.Max(1, messages / 5));

    internal bool Includes(string scenarioId) => Only is null || Only.Contains(scenarioId);
}

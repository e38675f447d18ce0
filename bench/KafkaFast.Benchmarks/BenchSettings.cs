using System.Globalization;

namespace KafkaFast.Benchmarks;

/// <summary>Command-line settings. Every default is the full run; --quick scales everything down for CI smoke.</summary>
internal sealed class BenchSettings
{
    internal const int Partitions = 6;
    internal const int Brokers = 3;
    internal const int BatchSize = 100;
    internal const int Concurrency = 256;
    internal static readonly TimeSpan Linger = TimeSpan.FromMilliseconds(5);

    internal long Messages { get; private set; } = 5_000_000;
    internal long? AsyncMessagesOverride { get; private set; }
    internal long? Messages1KOverride { get; private set; }
    internal long? WarmupOverride { get; private set; }
    internal int Repeat { get; private set; } = 3;
    internal bool Quick { get; private set; }
    internal bool Include1K { get; private set; } = true;
    internal bool IncludeOverload { get; private set; } = true;
    internal HashSet<string>? Only { get; private set; }
    internal int SampleEvery { get; private set; } = 64;
    internal TimeSpan OverloadDuration { get; private set; } = TimeSpan.FromSeconds(10);
    internal int OverloadRate { get; private set; } = 1_000_000;
    internal long OverloadBudgetBytes { get; private set; } = 16L * 1024 * 1024;
    internal TimeSpan OverloadRtt { get; private set; } = TimeSpan.FromMilliseconds(200);
    internal int OverloadRepeat { get; private set; } = 1;
    internal long? KafkaFastBudgetBytes { get; private set; }
    internal Dictionary<string, string> KafkaFastProperties { get; } = new(StringComparer.Ordinal);
    internal Dictionary<string, string> ConfluentProperties { get; } = new(StringComparer.Ordinal);
    internal string? DocsPath { get; private set; }
    internal bool WriteDocs { get; private set; }
    internal string? JsonPath { get; private set; }
    internal IReadOnlyList<string> Arguments { get; private set; } = [];

    /// <summary>Messages for the awaited scenarios (256 loops, each waits a full linger + round trip per message).</summary>
    internal long AsyncMessages => AsyncMessagesOverride ?? Math.Max(1, Messages / 10);

    /// <summary>Messages for the 1 KiB-value variant (10x the bytes per message).</summary>
    internal long Messages1K => Messages1KOverride ?? Math.Max(1, Messages / 5);

    /// <summary>Warm-up messages per round (two rounds) before each measured run: min(200k, a fifth of the run), same producer and topic.</summary>
    internal long WarmupFor(long messages) => Math.Min(WarmupOverride ?? 200_000, Math.Max(1, messages / 5));

    internal const string Usage = """
        KafkaFast benchmark: KafkaFast side by side with Confluent.Kafka against the embedded cluster (a child process).
        Usage: dotnet run -c Release --project bench/KafkaFast.Benchmarks -- [options]
          --quick                 CI smoke: tiny N, 1 repeat, 2 s overload; still checks delivered == produced
          --messages N            messages per throughput run, 100-byte values (default 5000000)
          --async-messages N      messages per awaited run (scenarios 3, 6) (default messages/10)
          --messages-1k N         messages per run of the 1 KiB-value variant (default messages/5)
          --warmup N              warm-up messages before each run (default min(200000, run/5))
          --repeat R              runs per scenario, interleaved; median and min-max reported (default 3)
          --no-1k                 skip the 1 KiB-value variant
          --no-overload           skip the overload scenario
          --only LIST             only these scenarios, e.g. 1,2,5 or O (overload)
          --sample-every K        time every K-th request call (default 64)
          --overload-seconds S    offered-load duration (default 10)
          --overload-rate R       offered messages per second (default 1000000)
          --overload-budget-mib M memory budget in the overload scenario (default 16)
          --overload-rtt-ms T     broker round-trip time during overload (default 200)
          --overload-repeat R     overload runs per variant (default 1)
          --budget-mib M          KafkaFast MemoryBudgetBytes in the throughput scenarios (default: the library's, 64 MiB)
          --kf-prop K=V           extra librdkafka property for KafkaFast (repeatable; for experiments, shown in the report)
          --cf-prop K=V           extra librdkafka property for Confluent.Kafka (repeatable; for experiments, shown in the report)
          --write-docs [PATH]     write the report to docs/BENCHMARKS.md (or PATH)
          --json PATH             write every run's raw numbers as JSON
        """;

    internal static BenchSettings Parse(string[] args)
    {
        var s = new BenchSettings { Arguments = args };
        for (int i = 0; i < args.Length; i++)
        {
            string a = args[i];
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{a} needs a value");
            long NextLong() => long.Parse(Next().Replace("_", "", StringComparison.Ordinal), CultureInfo.InvariantCulture);
            switch (a)
            {
                case "--quick":
                    s.Quick = true;
                    s.Messages = 20_000;
                    s.AsyncMessagesOverride ??= 4_000;
                    s.Messages1KOverride ??= 10_000;
                    s.WarmupOverride ??= 2_000;
                    s.Repeat = 1;
                    s.OverloadDuration = TimeSpan.FromSeconds(2);
                    s.OverloadRate = 200_000;
                    break;
                case "--messages": s.Messages = NextLong(); break;
                case "--async-messages": s.AsyncMessagesOverride = NextLong(); break;
                case "--messages-1k": s.Messages1KOverride = NextLong(); break;
                case "--warmup": s.WarmupOverride = NextLong(); break;
                case "--repeat": s.Repeat = (int)NextLong(); break;
                case "--no-1k": s.Include1K = false; break;
                case "--no-overload": s.IncludeOverload = false; break;
                case "--only": s.Only = Next().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.OrdinalIgnoreCase); break;
                case "--sample-every": s.SampleEvery = (int)NextLong(); break;
                case "--overload-seconds": s.OverloadDuration = TimeSpan.FromSeconds(double.Parse(Next(), CultureInfo.InvariantCulture)); break;
                case "--overload-rate": s.OverloadRate = (int)NextLong(); break;
                case "--overload-budget-mib": s.OverloadBudgetBytes = NextLong() * 1024 * 1024; break;
                case "--overload-rtt-ms": s.OverloadRtt = TimeSpan.FromMilliseconds(NextLong()); break;
                case "--overload-repeat": s.OverloadRepeat = (int)NextLong(); break;
                case "--budget-mib": s.KafkaFastBudgetBytes = NextLong() * 1024 * 1024; break;
                case "--kf-prop": AddProperty(s.KafkaFastProperties, Next()); break;
                case "--cf-prop": AddProperty(s.ConfluentProperties, Next()); break;
                case "--write-docs":
                    s.WriteDocs = true;
                    if (i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
                    {
                        s.DocsPath = args[++i];
                    }

                    break;
                case "--json": s.JsonPath = Next(); break;
                default: throw new ArgumentException($"Unknown option '{a}'.");
            }
        }

        if (s.Messages < 1 || s.Repeat < 1 || s.SampleEvery < 1 || s.OverloadRate < 1)
        {
            throw new ArgumentException("--messages, --repeat, --sample-every and --overload-rate must be positive.");
        }

        return s;
    }

    private static void AddProperty(Dictionary<string, string> properties, string pair)
    {
        int eq = pair.IndexOf('=', StringComparison.Ordinal);
        if (eq <= 0)
        {
            throw new ArgumentException($"Expected KEY=VALUE, got '{pair}'.");
        }

        properties[pair[..eq]] = pair[(eq + 1)..];
    }

    internal bool Includes(string scenarioId) => Only is null || Only.Contains(scenarioId);
}

using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using KafkaFast.Benchmarks.Matrix;

namespace KafkaFast.Benchmarks;

/// <summary>
/// The benchmark's command line (System.CommandLine, as the kafkafast tool): every option with its help text and
/// its checks, and the <see cref="BenchSettings"/> it yields. Counts accept digit separators ("1_000_000").
/// </summary>
internal sealed class BenchCommandLine
{
    internal const string Description =
        "KafkaFast benchmark: KafkaFast side by side with Confluent.Kafka against the embedded cluster (a child process).\n" +
        "Usage: dotnet run -c Release --project bench/KafkaFast.Benchmarks -- [options]";

    private readonly Option<bool> _quick = new("--quick") { Description = "CI smoke: tiny N, 1 repeat, 2 s overload; still checks delivered == produced (explicit options still apply)" };
    private readonly Option<long> _messages = Count("--messages", "Messages per throughput run, 100-byte values (default 5000000; --quick: 20000)");
    private readonly Option<long> _asyncMessages = Count("--async-messages", "Messages per awaited run (scenarios 3, 6) (default messages/10)");
    private readonly Option<long> _messages1K = Count("--messages-1k", "Messages per run of the 1 KiB-value variant (default messages/5)");
    private readonly Option<long> _warmup = Count("--warmup", "Warm-up messages before each run (default min(200000, run/5))");
    private readonly Option<long> _repeat = Count("--repeat", "Runs per scenario, interleaved; median and min-max reported (default 3)");
    private readonly Option<bool> _no1K = new("--no-1k") { Description = "Skip the 1 KiB-value variant" };
    private readonly Option<bool> _noOverload = new("--no-overload") { Description = "Skip the overload scenario" };
    private readonly Option<string> _only = new("--only") { Description = "Only these scenarios, e.g. 1,2,5, C1,C3 (consumers) or O (overload)", HelpName = "LIST" };
    private readonly Option<long> _sampleEvery = Count("--sample-every", "Time every N-th request call (default 64)");
    private readonly Option<double> _overloadSeconds = new("--overload-seconds") { Description = "Offered-load duration in seconds (default 10)", HelpName = "S" };
    private readonly Option<long> _overloadRate = Count("--overload-rate", "Offered messages per second (default 1000000)");
    private readonly Option<long> _overloadBudgetMib = Count("--overload-budget-mib", "Memory budget in the overload scenario, MiB (default 16)");
    private readonly Option<long> _overloadRttMs = Count("--overload-rtt-ms", "Broker round-trip time during overload, ms (default 200)", allowZero: true);
    private readonly Option<long> _overloadRepeat = Count("--overload-repeat", "Overload runs per variant (default 1)");
    private readonly Option<long> _budgetMib = Count("--budget-mib", "KafkaFast MemoryBudgetBytes in the throughput scenarios, MiB (default: the library's, 64 MiB)");
    private readonly Option<string[]> _kfProp = Property("--kf-prop", "Extra librdkafka property for KafkaFast (repeatable; for experiments, shown in the report)");
    private readonly Option<string[]> _cfProp = Property("--cf-prop", "Extra librdkafka property for Confluent.Kafka (repeatable; for experiments, shown in the report)");
    private readonly Option<string> _writeDocs = new("--write-docs")
    {
        Description = "Write the report to docs/BENCHMARKS.md (or PATH)",
        Arity = ArgumentArity.ZeroOrOne,
        HelpName = "PATH",
    };

    private readonly Option<string> _json = new("--json") { Description = "Write every run's raw numbers as JSON", HelpName = "PATH" };
    private readonly Option<bool> _matrix = new("--matrix")
    {
        Description = "Run the latency matrix (issue 11) instead of the scenarios: broker RTT x offered load, raw C librdkafka vs KafkaFast vs Confluent, " +
                      "each client in its own process; CPU/msg, msgs/s, delivery latency p50/p99, peak RSS, topic read back. --quick runs one cell of it",
    };

    private readonly Option<bool> _noMatrix = new("--no-matrix") { Description = "--quick without its matrix cell" };
    private readonly Option<string> _matrixCells = new("--matrix-cells")
    {
        Description = "Matrix cells as RTT/LOAD, LOAD = flat, 20k, 2k or msgs/s (default all 12: RTT 0,5,50,200 ms x flat,20k,2k; --quick: 5/20k)",
        HelpName = "LIST",
    };

    private readonly Option<string> _matrixClients = new("--matrix-clients")
    {
        Description = "Matrix clients: c (raw C librdkafka, needs gcc), kafkafast, confluent (default all)",
        HelpName = "LIST",
    };

    private readonly Option<long> _matrixMessages = Count("--matrix-messages", "Measured messages per flat-out matrix run (default 1000000; --quick: 20000)");
    private readonly Option<double> _matrixSeconds = new("--matrix-seconds") { Description = "Length of a paced matrix run: rate x S messages (default 8; --quick: 1)", HelpName = "S" };
    private readonly Option<string> _matrixBudgets = new("--matrix-budgets-mib")
    {
        Description = "KafkaFast budgets (one row each) in flat-out cells at >= 200 ms RTT (default 16,64; other cells: --budget-mib or the library's 64)",
        HelpName = "LIST",
    };

    private readonly Option<long> _matrixRepeat = Count("--matrix-repeat", "Runs per matrix row, interleaved; the median run is reported (default 1)");
    private readonly Option<string[]> _cProp = Property("--c-prop", "Extra librdkafka property for the raw C producer (repeatable)");

    internal BenchCommandLine()
    {
        Root = new RootCommand(Description);
        foreach (Option option in new Option[]
        {
            _quick, _messages, _asyncMessages, _messages1K, _warmup, _repeat, _no1K, _noOverload, _only, _sampleEvery,
            _overloadSeconds, _overloadRate, _overloadBudgetMib, _overloadRttMs, _overloadRepeat, _budgetMib, _kfProp, _cfProp,
            _writeDocs, _json, _matrix, _noMatrix, _matrixCells, _matrixClients, _matrixMessages, _matrixSeconds, _matrixBudgets,
            _matrixRepeat, _cProp,
        })
        {
            Root.Options.Add(option);
        }

        foreach (Option<double> seconds in new[] { _overloadSeconds, _matrixSeconds })
        {
            seconds.Validators.Add(r =>
            {
                if (r.GetValueOrDefault<double>() is var s && (s <= 0 || double.IsNaN(s) || double.IsInfinity(s)))
                {
                    r.AddError($"{seconds.Name} must be a positive number of seconds");
                }
            });
        }

        _matrixCells.Validators.Add(r =>
        {
            if (Split(r.GetValueOrDefault<string>()).Length == 0)
            {
                r.AddError("--matrix-cells needs at least one cell, e.g. 200/flat");
            }

            foreach (string cell in Split(r.GetValueOrDefault<string>()))
            {
                if (!MatrixCell.TryParse(cell, out _, out string? error))
                {
                    r.AddError($"--matrix-cells: {error}");
                }
            }
        });
        _matrixClients.Validators.Add(r =>
        {
            if (Split(r.GetValueOrDefault<string>()).Length == 0)
            {
                r.AddError("--matrix-clients needs at least one of c, kafkafast, confluent");
            }

            foreach (string client in Split(r.GetValueOrDefault<string>()))
            {
                if (ParseClient(client) is null)
                {
                    r.AddError($"--matrix-clients: '{client}' is not one of c, kafkafast, confluent");
                }
            }
        });
        _matrixBudgets.Validators.Add(r =>
        {
            foreach (string budget in Split(r.GetValueOrDefault<string>()))
            {
                if (!int.TryParse(budget, NumberStyles.None, CultureInfo.InvariantCulture, out int mib) || mib < 1)
                {
                    r.AddError($"--matrix-budgets-mib: '{budget}' is not a whole number of MiB (at least 1)");
                }
            }
        });
    }

    internal RootCommand Root { get; }

    /// <summary>The settings a successful parse describes.</summary>
    internal BenchSettings Settings(ParseResult parsed, IReadOnlyList<string> arguments)
    {
        bool quick = parsed.GetValue(_quick);
        long? Given(Option<long> option) => parsed.GetResult(option) is { Implicit: false } ? parsed.GetValue(option) : null;
        var defaults = new BenchSettings();
        return new BenchSettings
        {
            Arguments = arguments,
            Quick = quick,
            Messages = Given(_messages) ?? (quick ? 20_000 : defaults.Messages),
            AsyncMessagesOverride = Given(_asyncMessages) ?? (quick ? 4_000 : null),
            Messages1KOverride = Given(_messages1K) ?? (quick ? 10_000 : null),
            WarmupOverride = Given(_warmup) ?? (quick ? 2_000 : null),
            Repeat = (int)(Given(_repeat) ?? (quick ? 1 : defaults.Repeat)),
            Include1K = !parsed.GetValue(_no1K),
            IncludeOverload = !parsed.GetValue(_noOverload),
            Only = parsed.GetValue(_only)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.OrdinalIgnoreCase),
            SampleEvery = (int)(Given(_sampleEvery) ?? defaults.SampleEvery),
            OverloadDuration = parsed.GetResult(_overloadSeconds) is { Implicit: false }
                ? TimeSpan.FromSeconds(parsed.GetValue(_overloadSeconds))
                : quick ? TimeSpan.FromSeconds(2) : defaults.OverloadDuration,
            OverloadRate = (int)(Given(_overloadRate) ?? (quick ? 200_000 : defaults.OverloadRate)),
            OverloadBudgetBytes = Given(_overloadBudgetMib) is { } mib ? mib * 1024 * 1024 : defaults.OverloadBudgetBytes,
            OverloadRtt = Given(_overloadRttMs) is { } rtt ? TimeSpan.FromMilliseconds(rtt) : defaults.OverloadRtt,
            OverloadRepeat = (int)(Given(_overloadRepeat) ?? defaults.OverloadRepeat),
            KafkaFastBudgetBytes = Given(_budgetMib) is { } budget ? budget * 1024 * 1024 : null,
            KafkaFastProperties = Properties(parsed.GetValue(_kfProp)),
            ConfluentProperties = Properties(parsed.GetValue(_cfProp)),
            WriteDocs = parsed.GetResult(_writeDocs) is not null,
            DocsPath = parsed.GetValue(_writeDocs),
            JsonPath = parsed.GetValue(_json),
            Matrix = parsed.GetValue(_matrix),
            NoMatrix = parsed.GetValue(_noMatrix),
            MatrixCells = parsed.GetValue(_matrixCells) is { } cells
                ? [.. Split(cells).Select(c => MatrixCell.TryParse(c, out MatrixCell cell, out _) ? cell : default).Distinct()]
                : quick ? [new MatrixCell(5, 20_000)] : defaults.MatrixCells,
            MatrixClients = parsed.GetValue(_matrixClients) is { } clients
                ? [.. Split(clients).Select(c => ParseClient(c)!.Value).Distinct().Order()]
                : defaults.MatrixClients,
            MatrixMessages = Given(_matrixMessages) ?? (quick ? 20_000 : defaults.MatrixMessages),
            MatrixSeconds = parsed.GetResult(_matrixSeconds) is { Implicit: false } ? parsed.GetValue(_matrixSeconds) : quick ? 1 : defaults.MatrixSeconds,
            MatrixBudgetsBytes = parsed.GetValue(_matrixBudgets) is { } budgets
                ? [.. Split(budgets).Select(b => long.Parse(b, CultureInfo.InvariantCulture) * 1024 * 1024).Distinct()]
                : defaults.MatrixBudgetsBytes,
            MatrixRepeat = (int)(Given(_matrixRepeat) ?? defaults.MatrixRepeat),
            RawCProperties = Properties(parsed.GetValue(_cProp)),
        };
    }

    private static string[] Split(string? list) =>
        (list ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static MatrixClient? ParseClient(string name) => name.ToLowerInvariant() switch
    {
        "c" or "raw-c" or "rawc" => MatrixClient.RawC,
        "kafkafast" or "kf" => MatrixClient.KafkaFast,
        "confluent" or "cf" => MatrixClient.Confluent,
        _ => null,
    };

    /// <summary>A positive whole number (or zero when <paramref name="allowZero"/>), digit separators allowed.</summary>
    private static Option<long> Count(string name, string description, bool allowZero = false) => new(name)
    {
        Description = description,
        HelpName = "N",
        CustomParser = r =>
        {
            string text = r.Tokens.Count > 0 ? r.Tokens[^1].Value : string.Empty;
            if (!long.TryParse(text.Replace("_", "", StringComparison.Ordinal), NumberStyles.Integer, CultureInfo.InvariantCulture, out long value))
            {
                r.AddError($"{name} expects a whole number, got '{text}'");
                return 0;
            }

            if (value < (allowZero ? 0 : 1))
            {
                r.AddError($"{name} must be {(allowZero ? "zero or more" : "at least 1")}, got {value}");
            }

            return value;
        },
    };

    /// <summary>A repeatable KEY=VALUE option.</summary>
    private static Option<string[]> Property(string name, string description)
    {
        var option = new Option<string[]>(name) { Description = description, HelpName = "K=V", Arity = ArgumentArity.OneOrMore };
        option.Validators.Add(r =>
        {
            foreach (Token token in r.Tokens)
            {
                if (token.Value.IndexOf('=', StringComparison.Ordinal) <= 0)
                {
                    r.AddError($"{name} expects KEY=VALUE, got '{token.Value}'");
                }
            }
        });
        return option;
    }

    private static Dictionary<string, string> Properties(string[]? pairs)
    {
        var properties = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string pair in pairs ?? [])
        {
            int eq = pair.IndexOf('=', StringComparison.Ordinal);
            properties[pair[..eq]] = pair[(eq + 1)..];
        }

        return properties;
    }
}

using System.CommandLine;
using System.CommandLine.Parsing;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using KafkaFast.Benchmarks;
using KafkaFast.Benchmarks.Broker;
using KafkaFast.Benchmarks.Matrix;
using KafkaFast.Benchmarks.Measurement;
using KafkaFast.Benchmarks.Reporting;
using KafkaFast.Benchmarks.Scenarios;
using KafkaFast.Benchmarks.Workload;
using KafkaFast.Measurement;

if (args.Length > 0 && args[0] == BrokerHost.Mode)
{
    return BrokerHost.Run(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : BenchSettings.Brokers);
}

if (args.Length > 1 && args[0] == MatrixChild.Mode)
{
    return MatrixChild.Run(args[1]);
}

var commandLine = new BenchCommandLine();
ParseResult parsed = commandLine.Root.Parse(args);
if (parsed.Errors.Count > 0)
{
    foreach (ParseError error in parsed.Errors)
    {
        Console.Error.WriteLine($"error: {error.Message}");
    }

    Console.Error.WriteLine("usage: see 'dotnet run -c Release --project bench/KafkaFast.Benchmarks -- --help'");
    return 2;
}

commandLine.Root.SetAction(result => Runner.Run(commandLine.Settings(result, args)));
return parsed.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });

/// <summary>Runs every scenario (interleaved repeats), the overload scenario, and prints/writes the report.</summary>
internal static class Runner
{
    internal static IScenario[] AllScenarios() =>
    [
        new KafkaFastBatchScenario(),
        new KafkaFastSingleScenario(),
        new KafkaFastAsyncScenario(),
        new KafkaFastJsonScenario(),
        new ConfluentProduceScenario(),
        new ConfluentProduceAsyncScenario(),
        new HandOffScenario(),
        new KafkaFastConsumeBatchScenario(),
        new KafkaFastConsumeAsyncScenario(),
        new ConfluentConsumeScenario(),
    ];

    internal static int Run(BenchSettings settings)
    {
        var started = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        MachineInfo machine = MachineInfo.Read();
        string command = "dotnet run -c Release --project bench/KafkaFast.Benchmarks" + (settings.Arguments.Count > 0 ? " -- " + string.Join(' ', settings.Arguments) : "");
        Log($"KafkaFast benchmark: {machine.Processors} CPUs, {machine.CpuModel}, {machine.Runtime}, load average {machine.LoadAverage}");
        Log(machine.LibrdkafkaSummary);
        Log($"N = {settings.Messages:N0} (awaited: {settings.AsyncMessages:N0}; 1 KiB: {settings.Messages1K:N0}), {settings.Repeat} repeat(s){(settings.Quick ? ", quick" : "")}");
        long timerOverhead = LatencyHistogram.MeasureTimerOverheadNanoseconds();

        var sets = new List<(MessageSet Set, long Count)> { (new MessageSet(100), settings.Messages) };
        if (settings.Include1K)
        {
            sets.Add((new MessageSet(1024), settings.Messages1K));
        }

        var runs = new List<ScenarioRuns>();
        var overload = new List<OverloadResult>();
        if (settings.RunScenarios)
        {
            using BrokerProcess broker = BrokerProcess.Start(BenchSettings.Brokers);
            Log($"broker host pid {broker.ProcessId}: {broker.BootstrapServers}");

            // The measurement code itself is JIT-compiled on first use: run it a few times so that its compilation
            // does not land in the first scenario's measured interval.
            for (int i = 0; i < 3; i++)
            {
                Meter.Start(broker.ProcessId).Stop();
                Thread.Sleep(150);
            }

            RunScenarios(settings, broker, sets, runs, overload);
        }

        MatrixReport? matrix = null;
        if (settings.RunMatrix)
        {
            var matrixClock = Stopwatch.StartNew();
            var matrixStarted = DateTimeOffset.UtcNow;
            string loadAtStart = MachineInfo.LoadAverageNow();
            Log($"latency matrix: cells {string.Join(", ", settings.MatrixCells)}; clients {string.Join(", ", settings.MatrixClients.Select(MatrixRow.OptionName))}; " +
                $"flat out {settings.MatrixMessages:N0} msgs, paced {settings.MatrixSeconds} s; load average {loadAtStart}");
            var runner = new MatrixRunner(settings, Log);
            List<MatrixRun> matrixRuns = runner.Run();
            matrix = new MatrixReport
            {
                Settings = settings,
                Runs = matrixRuns,
                RawCNote = runner.RawCNote,
                Command = command,
                Machine = machine with { LoadAverage = loadAtStart },
                LoadAverageEnd = MachineInfo.LoadAverageNow(),
                Started = matrixStarted,
                Elapsed = matrixClock.Elapsed,
            };
        }

        var report = new Report
        {
            Settings = settings,
            Machine = machine,
            Command = command,
            Scenarios = runs,
            Overload = overload,
            TimerOverheadNs = timerOverhead,
            LoadAverageEnd = MachineInfo.LoadAverageNow(),
            Elapsed = clock.Elapsed,
            Started = started,
            JsonValueSize100 = sets[0].Set.Json.SampleSize,
            JsonValueSize1K = sets.Count > 1 ? sets[1].Set.Json.SampleSize : 0,
        };

        Console.WriteLine();
        if (settings.RunScenarios)
        {
            Console.WriteLine(report.Markdown(forDocs: false));
        }

        if (matrix is not null)
        {
            Console.WriteLine(matrix.Markdown(forDocs: false));
        }

        Console.WriteLine($"Load average at end: {report.LoadAverageEnd}; took {clock.Elapsed.TotalMinutes:0.0} min.");

        if (settings.WriteDocs)
        {
            string path = settings.DocsPath ?? Path.Combine(MachineInfo.RepositoryRoot(), "docs", "BENCHMARKS.md");
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            string? existing = File.Exists(path) ? File.ReadAllText(path) : null;

            // The scenarios rewrite the file and keep the matrix section a matrix run wrote (and the other way round).
            string text = settings.RunScenarios
                ? report.Markdown(forDocs: true) + "\n" + (matrix?.Markdown(forDocs: true) ?? MatrixReport.ExtractSection(existing) ?? "")
                : MatrixReport.ReplaceSection(existing, matrix!.Markdown(forDocs: true));
            File.WriteAllText(path, text.TrimEnd() + "\n");
            Log($"wrote {path}");
        }

        if (settings.JsonPath is { } jsonPath)
        {
            WriteJson(jsonPath, report, matrix);
            Log($"wrote {jsonPath}");
        }

        if (report.AnyFailed || matrix is { AnyFailed: true })
        {
            Console.Error.WriteLine("FAILED: at least one scenario or matrix run lost, duplicated or reordered messages, or did not complete (see the tables).");
            return 1;
        }

        return 0;
    }

    private static void RunScenarios(BenchSettings settings, BrokerProcess broker, List<(MessageSet Set, long Count)> sets, List<ScenarioRuns> runs, List<OverloadResult> overload)
    {
        IScenario[] scenarios = AllScenarios().Where(s => settings.Includes(s.Id)).ToArray();
        foreach ((MessageSet set, _) in sets)
        {
            runs.AddRange(scenarios.Select(s => new ScenarioRuns(s, set.ValueSize, [])));
        }

        for (int repeat = 1; repeat <= settings.Repeat; repeat++)
        {
            foreach ((MessageSet set, long baseCount) in sets)
            {
                foreach (IScenario scenario in scenarios)
                {
                    long count = scenario.Awaited ? Math.Min(settings.AsyncMessages, baseCount) : baseCount;
                    var context = new ScenarioContext(settings, broker, set, count, settings.WarmupFor(count));
                    ScenarioResult result;
                    try
                    {
                        result = scenario.Run(context);
                    }
                    catch (Exception e)
                    {
                        result = ScenarioResult.Failure(scenario.Id, $"{e.GetType().Name}: {e.Message}", count);
                    }

                    runs.First(r => r.Scenario == scenario && r.ValueSize == set.ValueSize).Runs.Add(result);
                    Log(Describe(repeat, set.ValueSize, scenario, result));
                }
            }
        }

        if (settings.IncludeOverload && settings.Includes("O"))
        {
            for (int repeat = 1; repeat <= settings.OverloadRepeat; repeat++)
            {
                foreach ((string id, string name) in OverloadScenario.Variants)
                {
                    OverloadResult o;
                    try
                    {
                        o = OverloadScenario.Run(id, settings, broker, sets[0].Set);
                    }
                    catch (Exception e)
                    {
                        o = OverloadResult.Failure(id, $"{e.GetType().Name}: {e.Message}");
                        broker.SetRoundTripTime(TimeSpan.Zero);
                    }

                    overload.Add(o);
                    Log($"[overload {repeat}] {name}: offered {o.Offered:N0}, accepted {o.Accepted:N0}, rejected {o.Rejected:N0}, " +
                        $"RSS {Report.Mib(o.RssBeforeBytes)} -> peak {Report.Mib(o.PeakRssBytes)} MiB, reject p99 {Report.Us(o.RejectedLatency.P99)} µs, " +
                        $"delivered {o.Delivered:N0}, failed {o.Failed:N0}, lost {o.Lost:N0}{(o.Ok ? "" : $" FAILED: {o.Error}")}");
                }
            }
        }

    }

    private static string Describe(int repeat, int valueSize, IScenario scenario, ScenarioResult r)
    {
        string prefix = $"[{repeat}] {Report.SizeName(valueSize),6} ({scenario.Id}) {scenario.Name}:";
        if (!r.Ok)
        {
            return $"{prefix} FAILED: {r.Error}";
        }

        return $"{prefix} {Report.Num(r.CpuNsPerMessage)} CPU ns/msg, {Report.Rate(r.MessagesPerWallSecond)} msg/s wall, " +
               $"{r.AllocatedPerMessage:0.00} B/msg, GC {r.Measured!.Gen0}/{r.Measured.Gen1}/{r.Measured.Gen2}, call p50/p99/p99.9 {Report.Us(r.CallLatency.P50)}/{Report.Us(r.CallLatency.P99)}/{Report.Us(r.CallLatency.P999)} µs, " +
               $"peak RSS {Report.Mib(r.Measured.PeakRssBytes)} MiB (+{Report.Mib(r.Measured.PeakRssBytes - r.Measured.RssBeforeBytes)}), retries {r.Retries}, broker {Report.Num(r.Measured.BrokerCpuNs / (double)r.Messages)} ns/msg";
    }

    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    private static void WriteJson(string path, Report report, MatrixReport? matrix)
    {
        var document = new
        {
            Matrix = matrix?.Runs.Select(r => new
            {
                Cell = r.Cell.ToString(),
                r.Row.Name,
                r.Repeat,
                r.Ok,
                r.Error,
                r.Spec,
                r.Result,
                r.Latency,
                Check = r.Check?.Summary,
                CpuMicrosecondsPerMessage = r.CpuUsPerMessage,
                r.MessagesPerSecond,
            }),
            report.Started,
            report.Command,
            report.Machine,
            Scenarios = report.Scenarios.Select(s => new
            {
                s.Scenario.Id,
                s.Scenario.Name,
                s.ValueSize,
                Runs = s.Runs.Select(r => new
                {
                    r.Ok,
                    r.Error,
                    r.Messages,
                    r.Delivered,
                    r.Failed,
                    r.Retries,
                    CpuNsPerMessage = r.Ok ? r.CpuNsPerMessage : 0,
                    r.Measured,
                    r.CallLatency,
                    r.DeliveryLatency,
                }),
            }),
            Overload = report.Overload.Select(o => new
            {
                o.Variant,
                o.Ok,
                o.Error,
                o.TargetRate,
                o.OfferedSeconds,
                o.Offered,
                o.Accepted,
                o.Rejected,
                o.Delivered,
                o.Failed,
                o.Lost,
                o.Retries,
                o.AcceptedLatency,
                o.RejectedLatency,
                o.RssBeforeBytes,
                o.PeakRssBytes,
                o.PeakRssDuringLoadBytes,
                o.Timeline,
                o.MaxBacklog,
                o.DrainSeconds,
                o.BudgetBytes,
                o.Load,
            }),
        };
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllText(path, JsonSerializer.Serialize(document, JsonOptions));
    }

    internal static void Log(string line) => Console.WriteLine($"{DateTime.Now:HH:mm:ss} {line}");
}

using System.CommandLine;
using System.CommandLine.Parsing;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using KafkaFast.Benchmarks;
using KafkaFast.Benchmarks.Broker;
using KafkaFast.Benchmarks.Measurement;
using KafkaFast.Benchmarks.Reporting;
using KafkaFast.Benchmarks.Scenarios;
using KafkaFast.Benchmarks.Workload;
using KafkaFast.Measurement;

if (args.Length > 0 && args[0] == BrokerHost.Mode)
{
    return BrokerHost.Run(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : BenchSettings.Brokers);
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

        using BrokerProcess broker = BrokerProcess.Start(BenchSettings.Brokers);
        Log($"broker host pid {broker.ProcessId}: {broker.BootstrapServers}");

        // The measurement code itself is JIT-compiled on first use: run it a few times so that its compilation
        // does not land in the first scenario's measured interval.
        for (int i = 0; i < 3; i++)
        {
            Meter.Start(broker.ProcessId).Stop();
            Thread.Sleep(150);
        }

        var sets = new List<(MessageSet Set, long Count)> { (new MessageSet(100), settings.Messages) };
        if (settings.Include1K)
        {
            sets.Add((new MessageSet(1024), settings.Messages1K));
        }

        IScenario[] scenarios = AllScenarios().Where(s => settings.Includes(s.Id)).ToArray();
        var runs = new List<ScenarioRuns>();
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

        var overload = new List<OverloadResult>();
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
        Console.WriteLine(report.Markdown(forDocs: false));
        Console.WriteLine($"Load average at end: {report.LoadAverageEnd}; took {clock.Elapsed.TotalMinutes:0.0} min.");

        if (settings.WriteDocs)
        {
            string path = settings.DocsPath ?? Path.Combine(MachineInfo.RepositoryRoot(), "docs", "BENCHMARKS.md");
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            File.WriteAllText(path, report.Markdown(forDocs: true));
            Log($"wrote {path}");
        }

        if (settings.JsonPath is { } jsonPath)
        {
            WriteJson(jsonPath, report);
            Log($"wrote {jsonPath}");
        }

        if (report.AnyFailed)
        {
            Console.Error.WriteLine("FAILED: at least one scenario's delivered count did not match (see the table).");
            return 1;
        }

        return 0;
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

    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };

    private static void WriteJson(string path, Report report)
    {
        var document = new
        {
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

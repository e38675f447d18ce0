using System.Globalization;
using System.Text;
using KafkaFast.Benchmarks.Measurement;
using KafkaFast.Benchmarks.Scenarios;
using KafkaFast.Measurement;

namespace KafkaFast.Benchmarks.Reporting;

/// <summary>All runs of one scenario at one value size.</summary>
internal sealed record ScenarioRuns(IScenario Scenario, int ValueSize, List<ScenarioResult> Runs)
{
    internal bool Failed => Runs.Count == 0 || Runs.Any(r => !r.Ok);

    internal IEnumerable<ScenarioResult> Ok => Runs.Where(r => r.Ok);

    /// <summary>The run whose CPU per message is the median (for the per-thread breakdown).</summary>
    internal ScenarioResult MedianRun => Ok.OrderBy(r => r.CpuNsPerMessage).ElementAt((Ok.Count() - 1) / 2);
}

/// <summary>Everything the program measured, and the markdown it prints and writes to docs/BENCHMARKS.md.</summary>
internal sealed class Report
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    internal required BenchSettings Settings { get; init; }
    internal required MachineInfo Machine { get; init; }
    internal required string Command { get; init; }
    internal required List<ScenarioRuns> Scenarios { get; init; }
    internal required List<OverloadResult> Overload { get; init; }
    internal required long TimerOverheadNs { get; init; }
    internal required string LoadAverageEnd { get; init; }
    internal required TimeSpan Elapsed { get; init; }
    internal required DateTimeOffset Started { get; init; }
    internal required int JsonValueSize100 { get; init; }
    internal required int JsonValueSize1K { get; init; }

    internal bool AnyFailed => Scenarios.Any(s => s.Failed) || Overload.Any(o => !o.Ok);

    // ---------- formatting helpers ----------
    internal static string Num(double v) => v switch
    {
        >= 100 => v.ToString("0", Inv),
        >= 10 => v.ToString("0.0", Inv),
        _ => v.ToString("0.00", Inv),
    };

    internal static string Rate(double v) => v switch
    {
        >= 1e6 => (v / 1e6).ToString("0.00", Inv) + "M",
        >= 1e3 => (v / 1e3).ToString("0", Inv) + "k",
        _ => v.ToString("0", Inv),
    };

    internal static string Us(long ns) => (ns / 1000.0) switch
    {
        < 10 and var us => us.ToString("0.00", Inv),
        < 100 and var us => us.ToString("0.0", Inv),
        var us => us.ToString("0", Inv),
    };

    internal static string Mib(long bytes) => (bytes / 1048576.0).ToString("0", Inv);

    internal static double Median(IEnumerable<double> values)
    {
        double[] sorted = values.OrderBy(v => v).ToArray();
        if (sorted.Length == 0)
        {
            return double.NaN;
        }

        int mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    private static string MedianRange(IEnumerable<double> values, Func<double, string> format)
    {
        double[] v = values.ToArray();
        if (v.Length == 1)
        {
            return format(v[0]);
        }

        return $"{format(Median(v))} ({format(v.Min())}–{format(v.Max())})";
    }

    private static long MedianLong(IEnumerable<long> values) => (long)Math.Round(Median(values.Select(v => (double)v)));

    private static long CountFor(ScenarioRuns s) => s.Runs.FirstOrDefault()?.Messages ?? 0;

    // ---------- sections ----------
    internal string ThroughputTable(int valueSize, bool consumers = false)
    {
        var sb = new StringBuilder();
        sb.AppendLine("| # | Scenario | N | CPU ns/msg | msgs per CPU-second | msgs per wall-second | alloc B/msg | GC gen0/1/2 | call µs p50 / p99 / p99.9 / max | peak RSS MiB (growth) | retries |");
        sb.AppendLine("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
        foreach (ScenarioRuns s in Scenarios.Where(s => s.ValueSize == valueSize && s.Scenario is ConsumerScenario == consumers))
        {
            string head = $"| {s.Scenario.Id} | {s.Scenario.Name} | {Rate(CountFor(s))} |";
            if (s.Failed)
            {
                string why = string.Join("; ", s.Runs.Where(r => !r.Ok).Select(r => r.Error).Distinct());
                sb.AppendLine($"{head} **FAILED**: {why} | | | | | | | |");
                continue;
            }

            var ok = s.Ok.ToList();
            string latency = $"{Us(MedianLong(ok.Select(r => r.CallLatency.P50)))} / {Us(MedianLong(ok.Select(r => r.CallLatency.P99)))} / " +
                             $"{Us(MedianLong(ok.Select(r => r.CallLatency.P999)))} / {Us(MedianLong(ok.Select(r => r.CallLatency.Max)))}";
            sb.AppendLine(head +
                $" {MedianRange(ok.Select(r => r.CpuNsPerMessage), Num)} |" +
                $" {MedianRange(ok.Select(r => r.MessagesPerCpuSecond), Rate)} |" +
                $" {MedianRange(ok.Select(r => r.MessagesPerWallSecond), Rate)} |" +
                $" {Num(Median(ok.Select(r => r.AllocatedPerMessage)))} |" +
                $" {MedianLong(ok.Select(r => (long)r.Measured!.Gen0))}/{MedianLong(ok.Select(r => (long)r.Measured!.Gen1))}/{MedianLong(ok.Select(r => (long)r.Measured!.Gen2))} |" +
                $" {latency} |" +
                $" {Mib(MedianLong(ok.Select(r => r.Measured!.PeakRssBytes)))} (+{Mib(MedianLong(ok.Select(r => r.Measured!.PeakRssBytes - r.Measured.RssBeforeBytes)))}) |" +
                $" {MedianLong(ok.Select(r => r.Retries))} |");
        }

        return sb.ToString();
    }

    internal string DeliveryTable()
    {
        var rows = Scenarios.Where(s => s.Scenario.Awaited && !s.Failed).ToList();
        if (rows.Count == 0)
        {
            return string.Empty;
        }

        var sb = new StringBuilder();
        sb.AppendLine("| # | Scenario | value | await µs p50 / p99 / p99.9 / max (call to delivery) |");
        sb.AppendLine("|---|---|--:|--:|");
        foreach (ScenarioRuns s in rows)
        {
            var d = s.Ok.Select(r => r.DeliveryLatency ?? LatencySummary.Empty).ToList();
            sb.AppendLine($"| {s.Scenario.Id} | {s.Scenario.Name} | {SizeName(s.ValueSize)} | {Us(MedianLong(d.Select(x => x.P50)))} / {Us(MedianLong(d.Select(x => x.P99)))} / {Us(MedianLong(d.Select(x => x.P999)))} / {Us(MedianLong(d.Select(x => x.Max)))} |");
        }

        return sb.ToString();
    }

    internal string CpuBreakdownTable(int valueSize)
    {
        var rows = Scenarios.Where(s => s.ValueSize == valueSize && !s.Failed).ToList();
        if (rows.Count == 0)
        {
            return string.Empty;
        }

        var groups = rows.SelectMany(s => s.MedianRun.Measured!.CpuByThreadGroup)
            .GroupBy(g => g.Key).Select(g => (Name: g.Key, Total: g.Sum(x => (double)x.Value / 1)))
            .OrderByDescending(g => g.Total).Select(g => g.Name).ToList();
        var sb = new StringBuilder();
        sb.Append("| # | total |");
        foreach (string g in groups)
        {
            sb.Append($" {g} |");
        }

        sb.AppendLine(" unattributed¹ | broker host (other process) |");
        sb.Append("|---|--:|");
        sb.Append(string.Concat(Enumerable.Repeat("--:|", groups.Count + 2)));
        sb.AppendLine();
        foreach (ScenarioRuns s in rows)
        {
            ScenarioResult r = s.MedianRun;
            double n = r.Messages;
            sb.Append($"| {s.Scenario.Id} | {Num(r.CpuNsPerMessage)} |");
            foreach (string g in groups)
            {
                sb.Append(r.Measured!.CpuByThreadGroup.TryGetValue(g, out long ns) ? $" {Num(ns / n)} |" : " |");
            }

            long attributed = r.Measured!.CpuByThreadGroup.Values.Sum();
            sb.AppendLine($" {Num((r.Measured.CpuNs - attributed) / n)} | {Num(r.Measured.BrokerCpuNs / n)} |");
        }

        return sb.ToString();
    }

    internal string OverloadTable()
    {
        if (Overload.Count == 0)
        {
            return string.Empty;
        }

        var sb = new StringBuilder();
        sb.AppendLine("| Variant | offered | accepted | rejected | accepted call µs p50 / p99 / p99.9 / max | rejected call µs p50 / p99 / p99.9 / max | CPU s (load) | GC 0/1/2 (load) | RSS before MiB | peak RSS MiB | growth MiB | max backlog | drain s | delivered | failed | lost |");
        sb.AppendLine("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
        foreach (OverloadResult o in Overload)
        {
            string name = OverloadScenario.Variants.First(v => v.Id == o.Variant).Name;
            if (!o.Ok && o.Offered == 0)
            {
                sb.AppendLine($"| {name} | **FAILED**: {o.Error} | | | | | | | | | | | | | | |");
                continue;
            }

            static string L(LatencySummary l) => l.Samples == 0 ? "–" : $"{Us(l.P50)} / {Us(l.P99)} / {Us(l.P999)} / {Us(l.Max)}";
            sb.AppendLine($"| {name} | {Rate(o.Offered)} ({Rate(o.Offered / o.OfferedSeconds)}/s) | {Rate(o.Accepted)} | {Rate(o.Rejected)} | {L(o.AcceptedLatency)} | {L(o.RejectedLatency)} | " +
                          $"{((o.Load?.CpuNs ?? 0) / 1e9).ToString("0.0", Inv)} | {o.Load?.Gen0}/{o.Load?.Gen1}/{o.Load?.Gen2} | " +
                          $"{Mib(o.RssBeforeBytes)} | {Mib(o.PeakRssBytes)} | {Mib(o.Growth)} | {Rate(o.MaxBacklog)} | {o.DrainSeconds.ToString("0.0", Inv)} | {o.Delivered} | {o.Failed} | {(o.Ok ? o.Lost.ToString(Inv) : $"**{o.Lost}** ({o.Error})")} |");
        }

        sb.AppendLine();
        sb.AppendLine("CPU during the offered load by thread (seconds):");
        sb.AppendLine();
        foreach (OverloadResult o in Overload.Where(o => o.Load is not null))
        {
            sb.AppendLine($"- {o.Variant}: " + string.Join(", ", o.Load!.CpuByThreadGroup.OrderByDescending(g => g.Value).Select(g => $"{g.Key} {(g.Value / 1e9).ToString("0.00", Inv)}")) +
                          $"; broker host (other process) {(o.Load.BrokerCpuNs / 1e9).ToString("0.00", Inv)}");
        }

        sb.AppendLine();
        sb.AppendLine("RSS over time (max per second, MiB; the first seconds are the offered load, the rest the drain at RTT 0):");
        sb.AppendLine();
        foreach (OverloadResult o in Overload.Where(o => o.Timeline.Count > 0))
        {
            sb.AppendLine($"- {o.Variant}: {string.Join(", ", o.Timeline.Select(Mib))}");
        }

        return sb.ToString();
    }

    private ScenarioRuns? Find(string id, int valueSize = 100) =>
        Scenarios.FirstOrDefault(s => s.Scenario.Id == id && s.ValueSize == valueSize && !s.Failed);

    /// <summary>Per-repeat ratios of CPU per message (runs are interleaved, so repeat r of both ran back to back).</summary>
    private static (double Median, double Min, double Max)? CpuRatio(ScenarioRuns? a, ScenarioRuns? b)
    {
        if (a is null || b is null)
        {
            return null;
        }

        var ratios = a.Runs.Zip(b.Runs, (x, y) => x.CpuNsPerMessage / y.CpuNsPerMessage).ToList();
        return (Median(a.Runs.Select(r => r.CpuNsPerMessage)) / Median(b.Runs.Select(r => r.CpuNsPerMessage)), ratios.Min(), ratios.Max());
    }

    internal string TargetsTable()
    {
        var sb = new StringBuilder();
        sb.AppendLine("| Target (100-byte values) | measured | per-repeat range | target | verdict |");
        sb.AppendLine("|---|--:|--:|--:|---|");

        void RatioRow(string label, string a, string b, double target)
        {
            var r = CpuRatio(Find(a), Find(b));
            bool reference = double.IsInfinity(target);
            string targetText = reference ? "–" : $"≤ {target.ToString("0.00", Inv)}x";
            if (r is null)
            {
                sb.AppendLine($"| {label} | n/a | | {targetText} | not measured (failed or skipped) |");
                return;
            }

            string verdict = reference ? "reference" : Verdict(r.Value.Median <= target, r.Value.Median / target);
            sb.AppendLine($"| {label} | {r.Value.Median.ToString("0.00", Inv)}x | {r.Value.Min.ToString("0.00", Inv)}–{r.Value.Max.ToString("0.00", Inv)} | {targetText} | {verdict} |");
        }

        RatioRow("CPU/msg: KafkaFast batch (1) vs Confluent Produce (5)", "1", "5", 0.40);
        RatioRow("CPU/msg: KafkaFast one-message (2) vs Confluent Produce (5)", "2", "5", 0.50);
        RatioRow("CPU/msg: KafkaFast ProduceAsync (3) vs Confluent ProduceAsync (6)", "3", "6", 0.45);
        RatioRow("CPU/msg: KafkaFast serialize-in-place (4) vs Confluent Produce (5) (no target; for reference)", "4", "5", double.PositiveInfinity);
        RatioRow("CPU/msg: Channel hand-off (7) vs Confluent Produce (5) (no target; for reference)", "7", "5", double.PositiveInfinity);
        RatioRow("CPU/msg: KafkaFast ConsumeBatch (C1) vs Confluent Consume (C3)", "C1", "C3", 0.50);
        RatioRow("CPU/msg: KafkaFast ConsumeBatchAsync (C2) vs Confluent Consume (C3)", "C2", "C3", 0.50);

        void AllocRow(string id, double target)
        {
            ScenarioRuns? s = Find(id);
            if (s is null)
            {
                return;
            }

            double v = Median(s.Runs.Select(r => r.AllocatedPerMessage));
            double max = s.Runs.Max(r => r.AllocatedPerMessage);
            long totalKb = MedianLong(s.Runs.Select(r => r.Measured!.AllocatedBytes / 1024));
            // "0 B/message": what a run allocates must not grow with N. A few KB per run (the producer's one-time
            // growth of its internal arrays, the flush that waits for the last report) is not per message.
            bool met = target == 0 ? v < 0.1 : v <= target;
            string verdict = target == 0 && met && v > 0
                ? $"**met** per message ({totalKb} KiB in the whole run of {Rate(s.Runs[0].Messages)}: one-time growth, not per message)"
                : Verdict(met, double.NaN);
            sb.AppendLine($"| Allocation: ({id}) {s.Scenario.Name} | {v.ToString("0.000", Inv)} B/msg | max {max.ToString("0.000", Inv)} | {(target == 0 ? "0" : "≤ " + target.ToString(Inv))} B/msg | {verdict} |");
        }

        AllocRow("1", 0);
        AllocRow("2", 0);
        AllocRow("4", 0);
        AllocRow("3", 16);
        AllocRow("C1", 0);
        AllocRow("C2", 0);

        void LatencyRow(string id, string label)
        {
            ScenarioRuns? s = Find(id);
            if (s is null)
            {
                return;
            }

            long p99 = MedianLong(s.Runs.Select(r => r.CallLatency.P99));
            long p999 = MedianLong(s.Runs.Select(r => r.CallLatency.P999));
            bool target = s.Scenario.Library == "KafkaFast";
            string verdict = target ? Verdict(p99 <= 500 && p999 <= 2000, double.NaN) : "reference";
            sb.AppendLine($"| Call latency at full load: ({id}) {label} | p99 {Us(p99)} µs, p99.9 {Us(p999)} µs | p99 {Us(s.Runs.Min(r => r.CallLatency.P99))}–{Us(s.Runs.Max(r => r.CallLatency.P99))} | {(target ? "p99 ≤ 0.5 µs, p99.9 ≤ 2 µs" : "issue quotes p99 ≈ 8 µs, p99.9 ≈ 70 µs")} | {verdict} |");
        }

        LatencyRow("2", "KafkaFast TryProduce");
        LatencyRow("4", "KafkaFast TryProduceJson");
        LatencyRow("1", "KafkaFast TryProduceBatch, per call of 100");
        LatencyRow("5", "Confluent Produce");

        OverloadResult? o = Overload.FirstOrDefault(x => x.Variant == "O1" && x.Offered > 0);
        if (o is not null)
        {
            long allowed = o.BudgetBytes + 32L * 1024 * 1024;
            sb.AppendLine($"| Overload: KafkaFast peak RSS growth | {Mib(o.Growth)} MiB | | ≤ budget + 32 = {Mib(allowed)} MiB | {Verdict(o.Growth <= allowed, double.NaN)} |");
            sb.AppendLine($"| Overload: KafkaFast rejected-call latency | p99 {Us(o.RejectedLatency.P99)} µs, p99.9 {Us(o.RejectedLatency.P999)} µs | {Rate(o.Rejected)} rejects | p99 ≤ 0.5 µs, p99.9 ≤ 2 µs | {(o.RejectedLatency.Samples == 0 ? "no rejects" : Verdict(o.RejectedLatency.P99 <= 500 && o.RejectedLatency.P999 <= 2000, double.NaN))} |");
            sb.AppendLine($"| Overload: KafkaFast accepted = delivered + failed | {o.Accepted} = {o.Delivered} + {o.Failed} | | lost 0 | {Verdict(o.Ok && o.Lost == 0, double.NaN)} |");
        }

        return sb.ToString();
    }

    /// <summary>"met", or "missed" (by how much, when the figure is a ratio to its target).</summary>
    private static string Verdict(bool met, double ratioToTarget) =>
        met ? "**met**"
        : double.IsNaN(ratioToTarget) ? "**missed**"
        : $"**missed** (measured is {ratioToTarget.ToString("0.00", Inv)}x the target)";

    internal static string SizeName(int valueSize) => valueSize >= 1024 ? $"{valueSize / 1024} KiB" : $"{valueSize} B";

    internal string Settings100() =>
        $"acks=all, enable.idempotence=true, linger.ms=5, compression none; topic with {BenchSettings.Partitions} partitions on {BenchSettings.Brokers} brokers (a fresh topic per run); " +
        $"16-byte keys (1024 distinct), values of 100 B and 1 KiB (64 distinct random values; the JSON event of scenario 4 is {JsonValueSize100} B / {JsonValueSize1K} B); " +
        $"warm-up before each run on the same producer and topic: two rounds of min({Settings.WarmupFor(long.MaxValue)}, N/5) messages, 300 ms apart, then a full GC; " +
        $"{Settings.Repeat} repeat(s), scenarios interleaved (repeat 1 of every scenario, then repeat 2, ...); every {Settings.SampleEvery}th request call timed.";

    internal string Markdown(bool forDocs)
    {
        var sb = new StringBuilder();
        if (forDocs)
        {
            sb.AppendLine("# Benchmarks: KafkaFast side by side with Confluent.Kafka");
            sb.AppendLine();
            sb.AppendLine("Generated by `bench/KafkaFast.Benchmarks` (`--write-docs`); do not edit by hand, run it again. Every number below comes from the run described here.");
            sb.AppendLine();
            sb.AppendLine("## How to reproduce");
            sb.AppendLine();
            sb.AppendLine("```");
            sb.AppendLine(Command);
            sb.AppendLine("```");
            sb.AppendLine();
            sb.AppendLine("Shorter: `-- --messages 500000 --repeat 1 --overload-seconds 5` (about a minute: the README's command); CI smoke: `-- --quick` (well under a minute, still checks every count). `-- --help` lists every option. The latency matrix of issue 11 (RTT x offered load, raw C librdkafka vs KafkaFast vs Confluent, each in its own process): `-- --matrix` (its section at the end; `-- --matrix --write-docs` rewrites only that section, a scenario run keeps it). Microbenchmarks of the enqueue path alone (BenchmarkDotNet, no broker): `dotnet run -c Release --project bench/KafkaFast.Microbenchmarks -- --filter '*'`.");
            sb.AppendLine();
            sb.AppendLine("## Machine");
            sb.AppendLine();
            sb.AppendLine($"- {Machine.Processors} CPUs (`nproc`), {Machine.CpuModel}, {Mib(Machine.MemoryBytes)} MiB RAM");
            sb.AppendLine($"- {Machine.Os}, kernel {Machine.Kernel}");
            sb.AppendLine($"- {Machine.Runtime}, GC {Machine.Gc}; Confluent.Kafka {Machine.ConfluentVersion}");
            sb.AppendLine($"- {Machine.LibrdkafkaSummary}");
            sb.AppendLine($"- KafkaFast commit: {Machine.Commit}");
            sb.AppendLine($"- Load average (1/5/15 min) at start: {Machine.LoadAverage}; at end: {LoadAverageEnd}. Started {Started:yyyy-MM-dd HH:mm} UTC, took {Elapsed.TotalMinutes.ToString("0.0", Inv)} min.");
            sb.AppendLine();
            sb.AppendLine("## Method");
            sb.AppendLine();
            sb.AppendLine($"- Settings: {Settings100()}");
            sb.AppendLine("- The embedded cluster (librdkafka's mock brokers, 3 of them) runs in a child process (this program re-launched in `broker-host` mode), so the measured process's CPU is the client's own. Its CPU is shown separately. Both processes share the machine's cores.");
            sb.AppendLine("- **CPU ns/msg**: user + system CPU of the whole benchmark process (getrusage: every thread, the library's workers, librdkafka's threads, GC, the driver) from the first measured call until the last delivery report, divided by N. **msgs per CPU-second** is its inverse; **msgs per wall-second** is N over the same interval's wall time.");
            sb.AppendLine("- **alloc B/msg**: `GC.GetTotalAllocatedBytes(precise: true)` over the same interval, divided by N. **GC**: collections per generation in it. **peak RSS**: VmHWM, reset at the start of the interval (`/proc/self/clear_refs`); it is the whole process's, so it includes heap that earlier scenarios left behind (the hand-off's backlog grows the GC heap by about 1 GiB, and the GC keeps much of it), hence **growth**: peak minus the RSS at the start of the interval, the memory the run itself added.");
            sb.AppendLine($"- **call µs**: the request thread's call (for Confluent: building the `Message` and calling `Produce`; for the hand-off: copying the value and writing the channel; for awaited scenarios: the call that returns the task, not the await), every {Settings.SampleEvery}th call timed with `Stopwatch.GetTimestamp` into a log-linear histogram (1.6% buckets; percentiles are bucket upper bounds). Median over repeats. Timer floor (two back-to-back timestamps) on this machine: {TimerOverheadNs} ns, included in every figure.");
            sb.AppendLine("- Full load: one request thread calls as fast as it can (scenarios 1, 2, 4, 5, 7); 256 async loops on the thread pool each await their own call (3, 6). When the producer refuses (KafkaFast: budget full; Confluent: QueueFull exception) the caller spins, yields or sleeps briefly (SpinWait) and retries: **retries** counts those refusals.");
            sb.AppendLine("- Every run checks that delivered == produced and failed == 0 (KafkaFast's counters, Confluent's delivery handler or awaited results); a run that does not is marked FAILED and not reported.");
            sb.AppendLine($"- Consumers (C1–C3): a topic is filled once per value size, unmeasured, with 2 × warm-up + N messages spread evenly over enough partitions to stay under the embedded broker's 5 MB per partition (it drops older data past that), and checked against its watermarks. Each run: a new consumer and group reading it from the beginning (`auto.offset.reset=earliest`, every other setting at its default: KafkaFast's `CommitMode.Auto`, Confluent's auto commit and auto offset store), two warm-up rounds of the warm-up count, a full GC, then measured from the first consume call until the N-th message was returned. Every library does the same per message (key and value lengths into a checksum, and a check that each partition's offsets follow one another: a run with a gap or a duplicate is FAILED). KafkaFast asks for up to {ConsumerScenario.BatchSize} messages per call; **call µs** is per consume call (a KafkaFast batch, a Confluent message).");
            sb.AppendLine("- Confluent.Kafka runs with the same four settings and every other setting at its default (as most teams run it: delivery reports carry all fields, `queue.buffering.max.messages` 100000). Its `Message` objects are allocated per call, as its API requires; keys and values are shared arrays (it copies them). In the hand-off, the request copies its value into a new array (the request's buffer does not outlive the request).");
            sb.AppendLine();
        }

        sb.AppendLine($"### Throughput, 100-byte values (median of {Settings.Repeat}, min–max in parentheses)");
        sb.AppendLine();
        sb.AppendLine(ThroughputTable(100));
        if (Scenarios.Any(s => s.ValueSize == 1024 && s.Scenario is not ConsumerScenario))
        {
            sb.AppendLine($"### Throughput, 1 KiB values (median of {Settings.Repeat})");
            sb.AppendLine();
            sb.AppendLine(ThroughputTable(1024));
        }

        foreach (int size in new[] { 100, 1024 })
        {
            if (Scenarios.Any(s => s.ValueSize == size && s.Scenario is ConsumerScenario))
            {
                sb.AppendLine($"### Consuming, {SizeName(size)} values (median of {Settings.Repeat}, min–max in parentheses)");
                sb.AppendLine();
                sb.AppendLine(ThroughputTable(size, consumers: true));
            }
        }

        string delivery = DeliveryTable();
        if (delivery.Length > 0)
        {
            sb.AppendLine("### Awaited scenarios: time from call to delivery (every sampled call)");
            sb.AppendLine();
            sb.AppendLine(delivery);
        }

        sb.AppendLine("### Where the CPU goes, 100-byte values (ns per message by thread, the median run)");
        sb.AppendLine();
        sb.AppendLine(CpuBreakdownTable(100));
        sb.AppendLine("¹ Process CPU minus the sum over live threads: threads that ended during the interval, plus the per-thread counters' precision (/proc/self/task/*/schedstat trails a running thread by up to a scheduler tick, a few ms per run, so it can be slightly negative in short runs).");
        sb.AppendLine();
        if (Overload.Count > 0)
        {
            sb.AppendLine($"### Overload: every broker {Settings.OverloadRtt.TotalMilliseconds:0} ms RTT, {Mib(Settings.OverloadBudgetBytes)} MiB budget, {Rate(Settings.OverloadRate)} msg/s offered for {Settings.OverloadDuration.TotalSeconds:0} s, then RTT 0 and drain");
            sb.AppendLine();
            sb.AppendLine($"Budget: KafkaFast `MemoryBudgetBytes` = {Mib(Settings.OverloadBudgetBytes)} MiB; Confluent `queue.buffering.max.kbytes` = {Settings.OverloadBudgetBytes / 1024} (other queue limits at their defaults); the hand-off's channel is unbounded. Every call is timed. RSS before: after a full GC, before the producer is created.");
            sb.AppendLine();
            sb.AppendLine(OverloadTable());
        }

        sb.AppendLine("### Against the issue's targets");
        sb.AppendLine();
        sb.AppendLine(TargetsTable());
        if (forDocs)
        {
            sb.AppendLine("### Reading the numbers");
            sb.AppendLine();
            sb.AppendLine("- The machine has 2 cores shared by the benchmark, the broker host and anything else running (see the load average above): CPU per message is the primary figure because it moves least with that; wall rates and latency tails move most. Compare figures from the same run only.");
            sb.AppendLine("- Full load means the request thread outruns the pipeline: KafkaFast's budget fills and `retries` counts the refusals (a caller at full load backs off and retries). For the batch call, 0 retries with a multi-millisecond p99.9 means the call itself waited for space instead of returning a short count.");
            sb.AppendLine("- The awaited scenarios (3, 6) are bound by latency, not CPU: 256 messages in flight, each waiting out linger.ms and a round trip, so per-message CPU there is dominated by per-wake-up costs (thread pool, librdkafka's broker threads with small batches) rather than by the produce call.");
            sb.AppendLine("- A few KiB allocated per run in the zero-allocation scenarios do not grow with N: they are one-time growth inside a new producer (allocation samples show its per-partition batch arrays and the worker's list of records librdkafka refused with QUEUE_FULL) and the flush that waits for the last delivery report.");
            sb.AppendLine("- `BENCH_TRACE_JIT=1` / `BENCH_TRACE_ALLOC=1` list what the JIT compiled and which types were allocated inside each measured interval; `--kf-prop`/`--cf-prop`/`--budget-mib` change client settings for experiments (the command above shows whether any were used).");
            sb.AppendLine();
        }

        return sb.ToString();
    }
}

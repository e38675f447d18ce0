using System.Diagnostics;

namespace KafkaFast.Benchmarks.Measurement;

/// <summary>
/// Measures one phase (from the first produce call until the last delivery report): whole-process CPU (every
/// thread), wall time, managed allocation, GC counts, peak RSS (VmHWM, reset at the start), CPU per thread group
/// and the broker host's CPU. Start and Stop allocate only outside the bracket they measure.
/// </summary>
internal sealed class Meter
{
    private readonly int _brokerPid;
    private Dictionary<int, (string Name, long CpuNs)> _threadsAtStart = [];
    private long _brokerCpuAtStart;
    private long _rssBefore;
    private bool _peakReset;
    private int _gen0, _gen1, _gen2;
    private long _allocated;
    private long _cpu;
    private long _wall;

    private Meter(int brokerPid) => _brokerPid = brokerPid;

    /// <summary>Starts measuring; call it right before the first produce call.</summary>
    internal static Meter Start(int brokerPid, bool resetPeak = true)
    {
        var meter = new Meter(brokerPid);
        meter._threadsAtStart = ProcessStats.ThreadCpu();
        meter._brokerCpuAtStart = brokerPid > 0 ? ProcessStats.OtherProcessCpuNanoseconds(brokerPid) : 0;
        meter._rssBefore = ProcessStats.ResidentBytes();
        meter._peakReset = resetPeak && ProcessStats.ResetPeakResident();
        meter._gen0 = GC.CollectionCount(0);
        meter._gen1 = GC.CollectionCount(1);
        meter._gen2 = GC.CollectionCount(2);
        JitWatcher.Instance?.Begin();
        meter._allocated = GC.GetTotalAllocatedBytes(precise: true);
        meter._cpu = ProcessStats.ProcessCpuNanoseconds();
        meter._wall = Stopwatch.GetTimestamp();
        return meter;
    }

    internal long RssBefore => _rssBefore;

    /// <summary>Stops measuring; call it once every delivery report is in.</summary>
    internal Measured Stop()
    {
        long wall = Stopwatch.GetTimestamp();
        long cpu = ProcessStats.ProcessCpuNanoseconds();
        long allocated = GC.GetTotalAllocatedBytes(precise: true);
        int gen0 = GC.CollectionCount(0), gen1 = GC.CollectionCount(1), gen2 = GC.CollectionCount(2);
        long peak = _peakReset ? ProcessStats.PeakResidentBytes() : ProcessStats.ResidentBytes();
        if (JitWatcher.Instance?.End() is { } jitted)
        {
            Console.Error.WriteLine($"[trace] {jitted.Count} events in the measured interval:");
            foreach (string method in jitted.Take(60))
            {
                Console.Error.WriteLine($"[trace]   {method}");
            }
        }

        Dictionary<int, (string Name, long CpuNs)> threads = ProcessStats.ThreadCpu();
        long brokerCpu = _brokerPid > 0 ? ProcessStats.OtherProcessCpuNanoseconds(_brokerPid) - _brokerCpuAtStart : 0;

        var byGroup = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach ((int tid, (string name, long ns)) in threads)
        {
            long before = _threadsAtStart.TryGetValue(tid, out var t) && t.Name == name ? t.CpuNs : 0;
            long delta = ns - before;
            if (delta > 0)
            {
                string group = tid == Environment.ProcessId ? "main thread (waits for deliveries)" : ThreadGroup(name);
                byGroup[group] = byGroup.GetValueOrDefault(group) + delta;
            }
        }

        return new Measured(
            WallNs: (long)((wall - _wall) * (1e9 / Stopwatch.Frequency)),
            CpuNs: cpu - _cpu,
            AllocatedBytes: allocated - _allocated,
            Gen0: gen0 - _gen0,
            Gen1: gen1 - _gen1,
            Gen2: gen2 - _gen2,
            RssBeforeBytes: _rssBefore,
            PeakRssBytes: Math.Max(peak, _rssBefore),
            CpuByThreadGroup: byGroup,
            BrokerCpuNs: brokerCpu);
    }

    /// <summary>Names threads by role (Linux thread names are cut at 15 characters).</summary>
    internal static string ThreadGroup(string name) => name switch
    {
        _ when name.StartsWith(Threads.DriverPrefix, StringComparison.Ordinal) => "request thread (driver)",
        _ when name.StartsWith(Threads.DrainerPrefix, StringComparison.Ordinal) => "hand-off drainer",
        _ when name.StartsWith("KafkaFast produ", StringComparison.Ordinal) => "KafkaFast worker",
        _ when name.StartsWith("rdk:broker", StringComparison.Ordinal) => "librdkafka broker threads",
        "rdk:main" => "librdkafka main thread",
        _ when name.StartsWith("rdk:", StringComparison.Ordinal) => "librdkafka other",
        _ when name.Contains("TP Worker", StringComparison.Ordinal) || name.Contains("ThreadPool", StringComparison.Ordinal) => "thread pool",
        _ when name.Contains("Long Running", StringComparison.Ordinal) || name.Contains("Long Runni", StringComparison.Ordinal) => "long-running task (Confluent poll)",
        _ when name.Contains("GC", StringComparison.Ordinal) => "GC threads",
        _ when name.Contains("Tiered", StringComparison.Ordinal) => "JIT (tiered compilation)",
        _ => $"other ({name})",
    };
}

/// <summary>What one measured phase cost.</summary>
internal sealed record Measured(
    long WallNs, long CpuNs, long AllocatedBytes, int Gen0, int Gen1, int Gen2,
    long RssBeforeBytes, long PeakRssBytes, IReadOnlyDictionary<string, long> CpuByThreadGroup, long BrokerCpuNs);

/// <summary>Names of the benchmark's own threads, so the per-thread breakdown can tell them apart.</summary>
internal static class Threads
{
    internal const string DriverPrefix = "bench-driver";
    internal const string DrainerPrefix = "bench-drainer";

    private static readonly Dictionary<string, NamedWorker> s_workers = new(StringComparer.Ordinal);

    /// <summary>
    /// Runs <paramref name="body"/> on a long-lived thread called <paramref name="name"/> and waits for it (rethrowing
    /// its exception). The thread outlives the measurement, so its CPU is attributed to it when the meter stops
    /// (a thread that has exited is no longer listed in /proc/self/task).
    /// </summary>
    internal static void RunNamed(string name, Action body)
    {
        NamedWorker worker;
        lock (s_workers)
        {
            if (!s_workers.TryGetValue(name, out worker!))
            {
                worker = new NamedWorker(name);
                s_workers.Add(name, worker);
            }
        }

        worker.Run(body);
    }

    private sealed class NamedWorker
    {
        private readonly System.Collections.Concurrent.BlockingCollection<(Action Body, TaskCompletionSource Done)> _work = [];

        internal NamedWorker(string name)
        {
            var thread = new Thread(Loop) { Name = name, IsBackground = true };
            thread.Start();
        }

        internal void Run(Action body)
        {
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _work.Add((body, done));
            done.Task.GetAwaiter().GetResult();
        }

        private void Loop()
        {
            foreach ((Action body, TaskCompletionSource done) in _work.GetConsumingEnumerable())
            {
                try
                {
                    body();
                    done.SetResult();
                }
                catch (Exception e)
                {
                    done.SetException(e);
                }
            }
        }
    }
}

using KafkaFast.Measurement;

namespace KafkaFast.Benchmarks.Measurement;

/// <summary>
/// Measures one phase (from the first produce call until the last delivery report) with the shared toolkit's
/// <see cref="ProcessMeter"/> (whole-process CPU, wall time, managed allocation, GC counts, peak RSS with VmHWM reset
/// at the start, CPU per thread), grouping the threads by role and adding the broker host's CPU.
/// </summary>
internal sealed class Meter
{
    private readonly int _brokerPid;
    private readonly long _brokerCpuAtStart;
    private readonly ProcessMeter _meter;

    private Meter(int brokerPid, bool resetPeak)
    {
        _brokerPid = brokerPid;
        _brokerCpuAtStart = brokerPid > 0 ? ProcessCpu.OfProcessNanoseconds(brokerPid) : 0;
        JitWatcher.Instance?.Begin();
        _meter = ProcessMeter.Start(resetPeak, perThread: true);
    }

    /// <summary>Starts measuring; call it right before the first produce call.</summary>
    internal static Meter Start(int brokerPid, bool resetPeak = true) => new(brokerPid, resetPeak);

    internal long RssBefore => _meter.RssBeforeBytes;

    /// <summary>Stops measuring; call it once every delivery report is in.</summary>
    internal Measured Stop()
    {
        ProcessUsage usage = _meter.Stop();
        if (JitWatcher.Instance?.End() is { } jitted)
        {
            Console.Error.WriteLine($"[trace] {jitted.Count} events in the measured interval:");
            foreach (string method in jitted.Take(60))
            {
                Console.Error.WriteLine($"[trace]   {method}");
            }
        }

        long brokerCpu = _brokerPid > 0 ? ProcessCpu.OfProcessNanoseconds(_brokerPid) - _brokerCpuAtStart : 0;
        return new Measured(
            WallNs: usage.WallNanoseconds,
            CpuNs: usage.CpuNanoseconds,
            AllocatedBytes: usage.Gc.AllocatedBytes,
            Gen0: usage.Gc.Gen0,
            Gen1: usage.Gc.Gen1,
            Gen2: usage.Gc.Gen2,
            RssBeforeBytes: usage.RssBeforeBytes,
            PeakRssBytes: usage.PeakIsInterval ? usage.PeakRssBytes : Math.Max(ProcessMemory.ResidentBytes(), usage.RssBeforeBytes),
            CpuByThreadGroup: ByGroup(usage.Threads),
            BrokerCpuNs: brokerCpu);
    }

    /// <summary>CPU per thread group (<see cref="ThreadGroup"/>), nanoseconds.</summary>
    internal static Dictionary<string, long> ByGroup(IEnumerable<ThreadCpuTime> threads)
    {
        var byGroup = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (ThreadCpuTime t in threads)
        {
            if (t.CpuNanoseconds > 0)
            {
                string group = t.ThreadId == Environment.ProcessId ? "main thread (waits for deliveries)" : ThreadGroup(t.Name);
                byGroup[group] = byGroup.GetValueOrDefault(group) + t.CpuNanoseconds;
            }
        }

        return byGroup;
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

using System.Diagnostics;
using KafkaFast.Measurement;

namespace KafkaFast.Chaos.Producing;

/// <summary>
/// Samples the producer process's resident memory and threads every 100 ms (Kafka threads, librdkafka's "rdk:" and
/// KafkaFast's workers, every 500 ms: reading /proc/self/task costs more) for the whole run.
/// </summary>
internal sealed class ResourceSampler
{
    private readonly Thread _thread;
    private readonly List<ResourceSample> _timeline = [];
    private volatile bool _stopping;

    internal ResourceSampler()
    {
        BaselineResidentBytes = ProcessMemory.ResidentBytes();
        BaselineThreads = ProcessMemory.ThreadCount();
        _thread = new Thread(Run) { Name = "chaos sampler", IsBackground = true };
    }

    internal long BaselineResidentBytes { get; }

    internal int BaselineThreads { get; }

    internal long MinResidentBytes { get; private set; } = long.MaxValue;

    internal long MaxResidentBytes { get; private set; }

    internal int MinThreads { get; private set; } = int.MaxValue;

    internal int MaxThreads { get; private set; }

    internal int MinKafkaThreads { get; private set; } = int.MaxValue;

    internal int MaxKafkaThreads { get; private set; }

    internal long Samples { get; private set; }

    /// <summary>One sample every 5 s (seconds since start, RSS, threads, Kafka threads, malloc'd bytes in use, GC heap).</summary>
    internal IReadOnlyList<ResourceSample> Timeline => _timeline;

    internal void Start() => _thread.Start();

    internal void Stop()
    {
        _stopping = true;
        _thread.Join();
    }

    internal static int KafkaThreads() =>
        ThreadCpu.Read().Count(t => t.Name.StartsWith("rdk:", StringComparison.Ordinal) || t.Name.StartsWith("KafkaFast", StringComparison.Ordinal));

    private void Run()
    {
        var clock = Stopwatch.StartNew();
        long nextKafka = 0, nextTimeline = 0;
        int kafka = 0;
        while (!_stopping)
        {
            long rss = ProcessMemory.ResidentBytes();
            int threads = ProcessMemory.ThreadCount();
            MinResidentBytes = Math.Min(MinResidentBytes, rss);
            MaxResidentBytes = Math.Max(MaxResidentBytes, rss);
            MinThreads = Math.Min(MinThreads, threads);
            MaxThreads = Math.Max(MaxThreads, threads);
            if (clock.ElapsedMilliseconds >= nextKafka)
            {
                kafka = KafkaThreads();
                MinKafkaThreads = Math.Min(MinKafkaThreads, kafka);
                MaxKafkaThreads = Math.Max(MaxKafkaThreads, kafka);
                nextKafka += 500;
            }

            if (clock.ElapsedMilliseconds >= nextTimeline)
            {
                _timeline.Add(new ResourceSample(clock.Elapsed.TotalSeconds, rss, threads, kafka, ProcessMemory.NativeHeapInUseBytes(), GC.GetGCMemoryInfo().HeapSizeBytes));
                nextTimeline += 5000;
            }

            Samples++;
            Thread.Sleep(100);
        }
    }
}

/// <summary>One point of the producer process's resource timeline.</summary>
internal sealed record ResourceSample(double Seconds, long ResidentBytes, int Threads, int KafkaThreads, long NativeHeapBytes, long ManagedHeapBytes);

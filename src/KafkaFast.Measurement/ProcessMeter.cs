using System.Diagnostics;

namespace KafkaFast.Measurement;

/// <summary>
/// Measures one interval of this process: wall time, CPU of every thread (user + system), managed allocation and
/// GCs, RSS at the start and its peak, and optionally CPU per thread. <see cref="Start"/> and <see cref="Stop"/>
/// do their allocating reads outside the bracket of the allocation, CPU and wall readings, so the figures are the
/// interval's own. While it runs, <see cref="Elapsed"/>, <see cref="Cpu"/> and <see cref="Gc"/> read progress.
/// </summary>
public sealed class ProcessMeter
{
    private readonly bool _perThread;
    private readonly IReadOnlyList<ThreadCpuTime> _threadsAtStart;
    private readonly ThreadCpuTime _selfAtStart;
    private readonly bool _peakReset;
    private readonly GcCounts _gcAtStart;
    private readonly TimeSpan _cpuAtStart;
    private readonly long _wallAtStart;

    private ProcessMeter(bool resetPeak, bool perThread)
    {
        _perThread = perThread;
        _threadsAtStart = perThread ? ThreadCpu.Read() : [];
        RssBeforeBytes = ProcessMemory.ResidentBytes();
        _peakReset = resetPeak && ProcessMemory.ResetPeakResident();
        // The measuring thread's own value is read again right before the process CPU: the readings above are not the interval's.
        _selfAtStart = perThread ? ThreadCpu.Current() : default;
        _gcAtStart = GcCounts.Now();
        _cpuAtStart = ProcessCpu.Total;
        _wallAtStart = Stopwatch.GetTimestamp();
    }

    /// <summary>
    /// Starts measuring; call it right before the first measured call. <paramref name="resetPeak"/>: the peak RSS
    /// is the interval's (VmHWM reset) instead of the process's since it started; <paramref name="perThread"/>:
    /// read every thread's CPU at both ends.
    /// </summary>
    public static ProcessMeter Start(bool resetPeak = false, bool perThread = false) => new(resetPeak, perThread);

    /// <summary>RSS when the meter started, in bytes.</summary>
    public long RssBeforeBytes { get; }

    /// <summary>Wall time since the start.</summary>
    public TimeSpan Elapsed => Stopwatch.GetElapsedTime(_wallAtStart);

    /// <summary>CPU of the whole process since the start.</summary>
    public TimeSpan Cpu => ProcessCpu.Total - _cpuAtStart;

    /// <summary>Allocations and GCs since the start.</summary>
    public GcCounts Gc => GcCounts.Now() - _gcAtStart;

    /// <summary>Stops measuring (call it once the last measured work is done) and returns what the interval cost.</summary>
    public ProcessUsage Stop()
    {
        long wallEnd = Stopwatch.GetTimestamp();
        TimeSpan cpu = ProcessCpu.Total - _cpuAtStart;
        GcCounts gc = GcCounts.Now() - _gcAtStart;

        // Reading every thread takes a millisecond or more: the measuring thread's own values are taken right next to
        // the process CPU readings, so that its figure covers the same interval.
        ThreadCpuTime selfAtStop = _perThread ? ThreadCpu.Current() : default;
        long peak = Math.Max(ProcessMemory.PeakResidentBytes(), RssBeforeBytes);
        IReadOnlyList<ThreadCpuTime> threads = _perThread ? ThreadCpu.Between(_threadsAtStart, ThreadCpu.Read(), _selfAtStart, selfAtStop) : [];

        return new ProcessUsage(Stopwatch.GetElapsedTime(_wallAtStart, wallEnd), cpu, gc, RssBeforeBytes, peak, _peakReset, threads);
    }
}

/// <summary>What one measured interval cost.</summary>
/// <param name="Wall">Wall time.</param>
/// <param name="Cpu">User + system CPU of the whole process (every thread).</param>
/// <param name="Gc">Managed allocation and GCs.</param>
/// <param name="RssBeforeBytes">RSS at the start.</param>
/// <param name="PeakRssBytes">Peak RSS: of the interval when <paramref name="PeakIsInterval"/>, else of the process so far.</param>
/// <param name="PeakIsInterval">Whether VmHWM could be reset at the start.</param>
/// <param name="Threads">CPU per thread in the interval (empty unless asked for); threads that ended are missing.</param>
public sealed record ProcessUsage(
    TimeSpan Wall, TimeSpan Cpu, GcCounts Gc, long RssBeforeBytes, long PeakRssBytes, bool PeakIsInterval, IReadOnlyList<ThreadCpuTime> Threads)
{
    /// <summary>CPU in nanoseconds.</summary>
    public long CpuNanoseconds => Cpu.Ticks * 100;

    /// <summary>Wall time in nanoseconds.</summary>
    public long WallNanoseconds => Wall.Ticks * 100;
}

namespace KafkaFast.Measurement;

/// <summary>CPU time of a whole process: every thread, live or ended, user + system.</summary>
public static class ProcessCpu
{
    /// <summary>User + system CPU this process has used so far (<see cref="Environment.CpuUsage"/>; no allocation).</summary>
    public static TimeSpan Total => Environment.CpuUsage.TotalTime;

    /// <summary><see cref="Total"/> in nanoseconds (microsecond resolution).</summary>
    public static long TotalNanoseconds => Environment.CpuUsage.TotalTime.Ticks * 100;

    /// <summary>User + system CPU of another process (e.g. a broker host) in nanoseconds, 10 ms resolution; 0 when it is gone.</summary>
    public static long OfProcessNanoseconds(int processId) =>
        ProcFs.TryReadStat($"/proc/{processId}/stat", out _, out long ns) ? ns : 0;
}

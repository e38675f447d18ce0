using System.Globalization;

namespace KafkaFast.Measurement;

/// <summary>One thread's name (Linux cuts it at 15 characters) and the CPU it has used.</summary>
/// <param name="ThreadId">The OS thread id (tid).</param>
/// <param name="Name">The thread's name.</param>
/// <param name="CpuNanoseconds">User + system CPU, in nanoseconds.</param>
public readonly record struct ThreadCpuTime(int ThreadId, string Name, long CpuNanoseconds);

/// <summary>
/// CPU per thread of this process, from /proc/self/task: nanosecond resolution where the kernel keeps schedstat
/// (time on a CPU), 10 ms ticks from stat otherwise. A thread that ended is no longer listed, so keep the threads
/// you measure alive until the reading after the interval. Allocates: read at the edges of a measurement.
/// </summary>
public static class ThreadCpu
{
    /// <summary>Every live thread of this process with its CPU so far (empty where /proc is missing).</summary>
    public static IReadOnlyList<ThreadCpuTime> Read()
    {
        var threads = new List<ThreadCpuTime>();
        IEnumerable<string> tasks;
        try
        {
            tasks = Directory.EnumerateDirectories("/proc/self/task");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return threads;
        }

        foreach (string task in tasks)
        {
            if (!int.TryParse(Path.GetFileName(task), NumberStyles.None, CultureInfo.InvariantCulture, out int tid)
                || !ProcFs.TryReadStat(Path.Combine(task, "stat"), out string name, out long statNs))
            {
                continue; // not a thread, or it ended while we listed it
            }

            long schedNs = ProcFs.ReadSchedstatNanoseconds(Path.Combine(task, "schedstat"));
            threads.Add(new ThreadCpuTime(tid, name, schedNs >= 0 ? schedNs : statNs));
        }

        return threads;
    }

    /// <summary>The calling thread's id, name and CPU so far (one thread's files only: cheap, for bracketing a reading of every thread).</summary>
    public static ThreadCpuTime Current()
    {
        // The kernel brings a running thread's total up to date only when it is scheduled (or at a tick): yield, so
        // that the value read below is current and not up to a tick old.
        Thread.Yield();
        string? stat = ProcFs.TryReadAllText("/proc/thread-self/stat");
        int space = stat?.IndexOf(' ', StringComparison.Ordinal) ?? -1;
        if (stat is null || space <= 0
            || !int.TryParse(stat.AsSpan(0, space), NumberStyles.None, CultureInfo.InvariantCulture, out int tid)
            || !ProcFs.TryParseStat(stat, out string name, out long statNs))
        {
            return default;
        }

        long schedNs = ProcFs.ReadSchedstatNanoseconds("/proc/thread-self/schedstat");
        return new ThreadCpuTime(tid, name, schedNs >= 0 ? schedNs : statNs);
    }

    /// <summary>Total CPU so far of the live threads whose name starts with <paramref name="namePrefix"/>, in nanoseconds.</summary>
    public static long TotalNanoseconds(string namePrefix) =>
        Read().Where(t => t.Name.StartsWith(namePrefix, StringComparison.Ordinal)).Sum(t => t.CpuNanoseconds);

    /// <summary>
    /// CPU each thread used between two readings. A thread that started in between counts from zero; a thread id
    /// reused under another name counts as a new thread; threads that ended in between are missing (their CPU is
    /// still in <see cref="ProcessCpu"/>).
    /// </summary>
    public static IReadOnlyList<ThreadCpuTime> Between(IReadOnlyList<ThreadCpuTime> before, IReadOnlyList<ThreadCpuTime> after) =>
        Between(before, after, default, default);

    /// <summary>
    /// <see cref="Between(IReadOnlyList{ThreadCpuTime}, IReadOnlyList{ThreadCpuTime})"/>, where the measuring
    /// thread's own values are taken from <paramref name="startOverride"/> and <paramref name="endOverride"/>
    /// (<see cref="Current"/> right after the first reading and right before the second one), so that the cost of
    /// reading every thread is not counted.
    /// </summary>
    public static IReadOnlyList<ThreadCpuTime> Between(
        IReadOnlyList<ThreadCpuTime> before, IReadOnlyList<ThreadCpuTime> after, ThreadCpuTime startOverride, ThreadCpuTime endOverride)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        var start = new Dictionary<int, ThreadCpuTime>(before.Count);
        foreach (ThreadCpuTime t in before)
        {
            start[t.ThreadId] = t;
        }

        if (startOverride.ThreadId != 0)
        {
            start[startOverride.ThreadId] = startOverride;
        }

        var used = new List<ThreadCpuTime>(after.Count);
        foreach (ThreadCpuTime reading in after)
        {
            ThreadCpuTime t = endOverride.ThreadId != 0 && reading.ThreadId == endOverride.ThreadId && reading.Name == endOverride.Name ? endOverride : reading;
            long from = start.TryGetValue(t.ThreadId, out ThreadCpuTime s) && s.Name == t.Name ? s.CpuNanoseconds : 0;
            used.Add(t with { CpuNanoseconds = Math.Max(0, t.CpuNanoseconds - from) });
        }

        return used;
    }
}

using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace KafkaFast.Benchmarks.Measurement;

/// <summary>
/// Process-wide CPU, memory and per-thread CPU, read from the kernel (getrusage, /proc). The calls used while a
/// measurement runs (<see cref="ProcessCpu"/>, <see cref="ResidentBytes"/>) allocate nothing, so they do not
/// pollute the allocation figures; the others allocate and are called only at the edges of a measurement.
/// </summary>
internal static partial class ProcessStats
{
    private const int RusageSelf = 0;
    private const int ClockTicksPerSecond = 100; // USER_HZ: /proc reports thread CPU in these units on Linux

    private static readonly long PageSize = Environment.SystemPageSize;

    [ThreadStatic]
    private static byte[]? t_statmBuffer;

    private static SafeFileHandle? s_statm;

    [StructLayout(LayoutKind.Sequential)]
    private struct RUsage
    {
        public long UserSeconds, UserMicroseconds, SystemSeconds, SystemMicroseconds;
        public long MaxRss, IxRss, IdRss, IsRss, MinFlt, MajFlt, NSwap, InBlock, OuBlock, MsgSnd, MsgRcv, NSignals, NVcsw, NIvcsw;
    }

    [LibraryImport("libc", EntryPoint = "getrusage", SetLastError = true)]
    private static partial int GetRUsage(int who, out RUsage usage);

    /// <summary>User + system CPU of the whole process (every thread, live or exited), in nanoseconds.</summary>
    internal static long ProcessCpuNanoseconds()
    {
        if (GetRUsage(RusageSelf, out RUsage u) != 0)
        {
            throw new InvalidOperationException($"getrusage failed: errno {Marshal.GetLastPInvokeError()}");
        }

        return (u.UserSeconds + u.SystemSeconds) * 1_000_000_000L + (u.UserMicroseconds + u.SystemMicroseconds) * 1000L;
    }

    /// <summary>Current resident set size in bytes (from /proc/self/statm; no allocation after the first call on a thread).</summary>
    internal static long ResidentBytes()
    {
        SafeFileHandle handle = s_statm ??= File.OpenHandle("/proc/self/statm", FileMode.Open, FileAccess.Read);
        byte[] buffer = t_statmBuffer ??= new byte[256];
        int read = RandomAccess.Read(handle, buffer, 0);
        // "size resident shared text lib data dt", in pages.
        int i = 0;
        while (i < read && buffer[i] != (byte)' ')
        {
            i++;
        }

        long pages = 0;
        for (i++; i < read && buffer[i] is >= (byte)'0' and <= (byte)'9'; i++)
        {
            pages = pages * 10 + (buffer[i] - '0');
        }

        return pages * PageSize;
    }

    /// <summary>Peak resident set size since the last <see cref="ResetPeakResident"/> (VmHWM), in bytes.</summary>
    internal static long PeakResidentBytes() => ReadStatusKilobytes("VmHWM:") * 1024;

    /// <summary>Resets VmHWM to the current RSS (Linux 4.0+: "5" into clear_refs). Returns false where not allowed.</summary>
    internal static bool ResetPeakResident()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static long ReadStatusKilobytes(string field)
    {
        foreach (string line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith(field, StringComparison.Ordinal))
            {
                return long.Parse(line.AsSpan(field.Length).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture);
            }
        }

        return 0;
    }

    /// <summary>CPU per live thread of this process: thread id -> (name, nanoseconds). 10 ms resolution.</summary>
    internal static Dictionary<int, (string Name, long CpuNs)> ThreadCpu()
    {
        var result = new Dictionary<int, (string, long)>();
        foreach (string dir in Directory.EnumerateDirectories("/proc/self/task"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out int tid))
            {
                continue;
            }

            try
            {
                if (TryReadStat(Path.Combine(dir, "stat"), out string name, out long ns))
                {
                    result[tid] = (name, ns);
                }
            }
            catch (IOException)
            {
                // The thread exited between listing and reading.
            }
        }

        return result;
    }

    /// <summary>User + system CPU of another process (the broker host), in nanoseconds; 0 when it is gone.</summary>
    internal static long OtherProcessCpuNanoseconds(int pid)
    {
        try
        {
            return TryReadStat($"/proc/{pid}/stat", out _, out long ns) ? ns : 0;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    /// <summary>Resident bytes of another process (VmRSS), or 0.</summary>
    internal static long OtherProcessResidentBytes(int pid)
    {
        try
        {
            string[] fields = File.ReadAllText($"/proc/{pid}/statm").Split(' ');
            return long.Parse(fields[1], CultureInfo.InvariantCulture) * PageSize;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    private static bool TryReadStat(string path, out string name, out long cpuNs)
    {
        string stat = File.ReadAllText(path);
        int open = stat.IndexOf('(', StringComparison.Ordinal);
        int close = stat.LastIndexOf(')');
        name = stat[(open + 1)..close];
        // Fields after ") ": state(3) ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime(14) stime(15).
        string[] rest = stat[(close + 2)..].Split(' ');
        long ticks = long.Parse(rest[11], CultureInfo.InvariantCulture) + long.Parse(rest[12], CultureInfo.InvariantCulture);
        cpuNs = ticks * (1_000_000_000L / ClockTicksPerSecond);
        return true;
    }
}

using System.Runtime.InteropServices;

namespace KafkaFast.Tests.Support;

/// <summary>Process-wide resource readings: OS threads, resident memory, native heap in use (glibc).</summary>
internal static partial class ProcessProbe
{
    internal static int ThreadCount() => (int)StatusValue("Threads:");

    /// <summary>CPU time (user + sys, in clock ticks of 10 ms) used so far by threads whose name starts with <paramref name="prefix"/>.</summary>
    internal static long ThreadCpuTicks(string prefix)
    {
        long ticks = 0;
        foreach (string task in Directory.EnumerateDirectories("/proc/self/task"))
        {
            try
            {
                string stat = File.ReadAllText(Path.Combine(task, "stat"));
                int open = stat.IndexOf('(', StringComparison.Ordinal), close = stat.LastIndexOf(')');
                if (!stat[(open + 1)..close].StartsWith(prefix, StringComparison.Ordinal))
                {
                    continue;
                }

                string[] fields = stat[(close + 2)..].Split(' ');
                ticks += long.Parse(fields[11]) + long.Parse(fields[12]); // utime, stime
            }
            catch (IOException)
            {
            }
        }

        return ticks;
    }

    /// <summary>OS threads that belong to Kafka clients: librdkafka's ("rdk:...") and our workers ("KafkaFast ...").</summary>
    internal static int KafkaThreadCount()
    {
        int count = 0;
        foreach (string task in Directory.EnumerateDirectories("/proc/self/task"))
        {
            try
            {
                string name = File.ReadAllText(Path.Combine(task, "comm")).Trim();
                if (name.StartsWith("rdk:", StringComparison.Ordinal) || name.StartsWith("KafkaFast", StringComparison.Ordinal))
                {
                    count++;
                }
            }
            catch (IOException)
            {
                // the thread ended while we listed it
            }
        }

        return count;
    }

    internal static long ResidentBytes() => StatusValue("VmRSS:") * 1024;

    /// <summary>Bytes malloc has handed out and not had back, over all arenas (glibc mallinfo2).</summary>
    internal static long NativeHeapInUse()
    {
        MallInfo2 info = Mallinfo2();
        return (long)(info.Uordblks + info.Hblkhd);
    }

    private static long StatusValue(string field)
    {
        foreach (string line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith(field, StringComparison.Ordinal))
            {
                return long.Parse(line[field.Length..].Trim().Split(' ')[0]);
            }
        }

        throw new InvalidOperationException($"{field} not in /proc/self/status");
    }

    /// <summary>Waits (bounded) for a reading to come back down, because threads and memory are released asynchronously.</summary>
    internal static long SettleTo(Func<long> read, long target, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        long value = read();
        while (value > target && DateTime.UtcNow < deadline)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            Thread.Sleep(50);
            value = read();
        }

        return value;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct MallInfo2
    {
        public nuint Arena, Ordblks, Smblks, Hblks, Hblkhd, Usmblks, Fsmblks, Uordblks, Fordblks, Keepcost;
    }

    [LibraryImport("libc", EntryPoint = "mallinfo2")]
    private static partial MallInfo2 Mallinfo2();
}

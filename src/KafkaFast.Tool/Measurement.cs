using System.Diagnostics;

namespace KafkaFast.Tool;

/// <summary>Process-wide cost of a run: CPU (user + sys, all threads), wall time, managed allocation, GCs, peak RSS.</summary>
internal sealed class Measurement
{
    private readonly TimeSpan _cpuStart;
    private readonly long _allocatedStart;
    private readonly int[] _gcStart;
    private readonly Stopwatch _wall = Stopwatch.StartNew();

    private Measurement()
    {
        _cpuStart = CpuTime();
        _allocatedStart = GC.GetTotalAllocatedBytes(precise: true);
        _gcStart = [GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2)];
    }

    internal static Measurement Start() => new();

    internal TimeSpan Elapsed => _wall.Elapsed;

    internal TimeSpan Cpu => CpuTime() - _cpuStart;

    internal long Allocated => GC.GetTotalAllocatedBytes(precise: true) - _allocatedStart;

    internal string GcCounts => $"{GC.CollectionCount(0) - _gcStart[0]}/{GC.CollectionCount(1) - _gcStart[1]}/{GC.CollectionCount(2) - _gcStart[2]}";

    internal static TimeSpan CpuTime()
    {
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime;
    }

    /// <summary>Peak resident set size of the process so far (VmHWM), in bytes.</summary>
    internal static long PeakResidentBytes()
    {
        foreach (string line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                return long.Parse(line[6..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) * 1024;
            }
        }

        return 0;
    }
}

using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace KafkaFast.Measurement;

/// <summary>
/// Resident memory of this process (current and peak), of another process, and glibc's native heap. The call meant
/// for sampling during a measurement, <see cref="ResidentBytes"/>, allocates nothing; the others read /proc/self/status.
/// </summary>
public static partial class ProcessMemory
{
    private static readonly long PageSize = Environment.SystemPageSize;

    [ThreadStatic]
    private static byte[]? t_statmBuffer;

    private static SafeFileHandle? s_statm;

    /// <summary>Current resident set size in bytes (/proc/self/statm; no allocation after a thread's first call). 0 where /proc is missing.</summary>
    public static long ResidentBytes()
    {
        SafeFileHandle? handle = s_statm;
        if (handle is null)
        {
            try
            {
                handle = s_statm = File.OpenHandle("/proc/self/statm", FileMode.Open, FileAccess.Read);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return 0;
            }
        }

        byte[] buffer = t_statmBuffer ??= new byte[256];
        int read = RandomAccess.Read(handle, buffer, 0);
        // "size resident shared text lib data dt", in pages: the second field.
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

    /// <summary>Peak resident set size (VmHWM) since the process started or since <see cref="ResetPeakResident"/>, in bytes; 0 where unknown.</summary>
    public static long PeakResidentBytes() => Math.Max(0, ProcFs.ReadStatusField("/proc/self/status", "VmHWM")) * 1024;

    /// <summary>Resets the peak (VmHWM) to the current RSS (Linux 4.0+: "5" into /proc/self/clear_refs). False where not allowed.</summary>
    public static bool ResetPeakResident()
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

    /// <summary>Resident bytes of another process (VmRSS), or 0 when it is gone.</summary>
    public static long ResidentBytesOf(int processId) => Math.Max(0, ProcFs.ReadStatusField($"/proc/{processId}/status", "VmRSS")) * 1024;

    /// <summary>OS threads of this process right now.</summary>
    public static int ThreadCount() => (int)Math.Max(0, ProcFs.ReadStatusField("/proc/self/status", "Threads"));

    /// <summary>Bytes malloc has handed out and not had back, over every arena (glibc mallinfo2; 0 elsewhere).</summary>
    public static long NativeHeapInUseBytes()
    {
        try
        {
            MallInfo2 info = Mallinfo2();
            return (long)(info.Uordblks + info.Hblkhd);
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            return 0;
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct MallInfo2
    {
        public nuint Arena, Ordblks, Smblks, Hblks, Hblkhd, Usmblks, Fsmblks, Uordblks, Fordblks, Keepcost;
    }

    [LibraryImport("libc", EntryPoint = "mallinfo2")]
    private static partial MallInfo2 Mallinfo2();
}

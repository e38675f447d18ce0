using System.Diagnostics;
using System.Runtime.InteropServices;

namespace KafkaFast.Native;

/// <summary>
/// Hands memory that librdkafka's threads freed back to the kernel. glibc gives every thread that allocates its own
/// malloc arena (up to 8 per core) and keeps what is freed there: after an outage, when librdkafka's request buffers
/// and retries have come and gone on a dozen broker threads, the process keeps 16 MiB and more resident that nothing
/// uses (measured with mallinfo2 and smaps in the chaos run: live native allocations 6-10 MiB, RSS +24 MiB). The
/// budget is a promise about resident memory, so a worker trims the heaps now and then (malloc_trim(0) walks every
/// arena and releases their free pages). Process-wide and rate-limited: one trim per <see cref="Interval"/> whatever
/// the number of producers. Only where glibc's malloc_trim exists (musl and other platforms: a no-op).
/// </summary>
internal static unsafe class NativeHeapTrim
{
    /// <summary>How often at most. A trim costs tens to hundreds of microseconds on one worker thread.</summary>
    internal static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    private static readonly long s_intervalTicks = (long)(Interval.TotalSeconds * Stopwatch.Frequency);
    private static readonly delegate* unmanaged<nuint, int> s_mallocTrim = Resolve();
    private static long s_next;

    /// <summary>Whether this process's C library can trim (glibc).</summary>
    internal static bool IsAvailable => s_mallocTrim != null;

    /// <summary>Trims if the interval has passed since the last trim by any caller; returns whether this call trimmed.</summary>
    internal static bool TrimIfDue(long now) => TrimIfDue(now, ref s_next);

    /// <summary>The rate limit on a given schedule (<paramref name="next"/>: when the next trim is due), for tests.</summary>
    internal static bool TrimIfDue(long now, ref long next)
    {
        long due = Volatile.Read(ref next);
        if (s_mallocTrim == null || now < due || Interlocked.CompareExchange(ref next, now + s_intervalTicks, due) != due)
        {
            return false; // not due, or another thread claimed this one
        }

        _ = s_mallocTrim(0); // returns whether memory was released; either way there is nothing to do
        return true;
    }

    private static delegate* unmanaged<nuint, int> Resolve()
    {
        if (!OperatingSystem.IsLinux() || !NativeLibrary.TryLoad("libc.so.6", out nint libc))
        {
            return null;
        }

        return NativeLibrary.TryGetExport(libc, "malloc_trim", out nint trim) ? (delegate* unmanaged<nuint, int>)trim : null;
    }
}

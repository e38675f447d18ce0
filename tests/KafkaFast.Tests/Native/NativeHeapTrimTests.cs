using System.Diagnostics;
using KafkaFast.Native;

namespace KafkaFast.Tests.Native;

/// <summary>The producer's workers trim glibc's heaps (RSS within the budget's bound), at most once per interval per process.</summary>
public class NativeHeapTrimTests
{
    [Fact]
    public void Glibc_can_trim_and_the_trim_is_rate_limited_across_callers()
    {
        Assert.True(NativeHeapTrim.IsAvailable, "glibc's malloc_trim was not found: the RSS bound under outages depends on it on Linux/glibc");

        long interval = (long)(NativeHeapTrim.Interval.TotalSeconds * Stopwatch.Frequency);
        long next = 0;
        long now = Stopwatch.GetTimestamp();
        Assert.True(NativeHeapTrim.TrimIfDue(now, ref next));
        Assert.False(NativeHeapTrim.TrimIfDue(now + 1, ref next));
        Assert.False(NativeHeapTrim.TrimIfDue(now + interval - 1, ref next));

        // Two threads at the same due moment: exactly one trims.
        long at = now + interval;
        int trimmed = 0;
        Parallel.For(0, 8, _ =>
        {
            if (NativeHeapTrim.TrimIfDue(at, ref next))
            {
                Interlocked.Increment(ref trimmed);
            }
        });
        Assert.Equal(1, trimmed);
    }
}

using System.Diagnostics;
using System.Numerics;

namespace KafkaFast.Benchmarks.Measurement;

/// <summary>
/// A fixed-size log-linear histogram of durations in nanoseconds (HdrHistogram's layout: values below 128 are
/// exact, above that each power of two is split into 64 buckets, so every value is kept within 1.6%). Recording
/// is lock-free and allocation-free; safe from many threads. Covers 1 ns .. ~9 hours.
/// </summary>
internal sealed class LatencyHistogram
{
    private const int SubBucketBits = 7;
    private const int SubBucketCount = 1 << SubBucketBits; // 128
    private const int HalfCount = SubBucketCount / 2;      // 64
    private const int Magnitudes = 40;

    private static readonly double NanosecondsPerTick = 1e9 / Stopwatch.Frequency;

    private readonly long[] _counts = new long[SubBucketCount + Magnitudes * HalfCount];
    private long _total;
    private long _max;

    internal long Count => Volatile.Read(ref _total);

    /// <summary>Records the time between two <see cref="Stopwatch.GetTimestamp"/> readings.</summary>
    internal void RecordTicks(long startTimestamp, long endTimestamp) =>
        RecordNanoseconds((long)((endTimestamp - startTimestamp) * NanosecondsPerTick));

    internal void RecordNanoseconds(long ns)
    {
        if (ns < 0)
        {
            ns = 0;
        }

        Interlocked.Increment(ref _counts[IndexOf(ns)]);
        Interlocked.Increment(ref _total);
        long max = Volatile.Read(ref _max);
        while (ns > max)
        {
            long seen = Interlocked.CompareExchange(ref _max, ns, max);
            if (seen == max)
            {
                break;
            }

            max = seen;
        }
    }

    internal void Clear()
    {
        Array.Clear(_counts);
        _total = 0;
        _max = 0;
    }

    private static int IndexOf(long value)
    {
        if (value < SubBucketCount)
        {
            return (int)value;
        }

        int msb = 63 - BitOperations.LeadingZeroCount((ulong)value);
        int shift = msb - (SubBucketBits - 1); // >= 1: (value >> shift) is in [64, 128)
        int index = SubBucketCount + (shift - 1) * HalfCount + (int)((value >> shift) - HalfCount);
        return Math.Min(index, SubBucketCount + Magnitudes * HalfCount - 1);
    }

    /// <summary>The largest value a bucket holds (so a percentile is never understated).</summary>
    private static long UpperBoundOf(int index)
    {
        if (index < SubBucketCount)
        {
            return index;
        }

        int k = index - SubBucketCount;
        int shift = k / HalfCount + 1;
        long sub = k % HalfCount + HalfCount;
        return (sub << shift) + (1L << shift) - 1;
    }

    /// <summary>The value at <paramref name="percentile"/> (0..100) in nanoseconds; the exact maximum for 100.</summary>
    internal long ValueAtPercentile(double percentile)
    {
        long total = Count;
        if (total == 0)
        {
            return 0;
        }

        long max = Volatile.Read(ref _max);
        long rank = Math.Max(1, (long)Math.Ceiling(percentile / 100.0 * total));
        long seen = 0;
        for (int i = 0; i < _counts.Length; i++)
        {
            seen += _counts[i];
            if (seen >= rank)
            {
                return Math.Min(UpperBoundOf(i), max);
            }
        }

        return max;
    }

    internal LatencySummary Summarize() => Count == 0
        ? LatencySummary.Empty
        : new LatencySummary(Count, ValueAtPercentile(50), ValueAtPercentile(99), ValueAtPercentile(99.9), Volatile.Read(ref _max));

    /// <summary>The cost of the timing itself: two back-to-back timestamps, median over many tries, in ns.</summary>
    internal static long MeasureTimerOverheadNanoseconds()
    {
        var h = new LatencyHistogram();
        for (int i = 0; i < 200_000; i++)
        {
            long a = Stopwatch.GetTimestamp();
            long b = Stopwatch.GetTimestamp();
            h.RecordTicks(a, b);
        }

        return h.ValueAtPercentile(50);
    }
}

/// <summary>Percentiles of one histogram, in nanoseconds.</summary>
internal sealed record LatencySummary(long Samples, long P50, long P99, long P999, long Max)
{
    internal static readonly LatencySummary Empty = new(0, 0, 0, 0, 0);
}

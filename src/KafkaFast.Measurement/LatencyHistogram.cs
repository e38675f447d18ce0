using System.Diagnostics;
using HdrHistogram;

namespace KafkaFast.Measurement;

/// <summary>
/// Durations in nanoseconds, on HdrHistogram: 3 significant digits (every value kept within 0.1%) from 1 ns to one
/// hour, plus the exact maximum. Recording is allocation-free and safe from many threads at once; read the
/// percentiles once the recording threads are done. Longer values are recorded as one hour, negative ones as 0.
/// </summary>
public sealed class LatencyHistogram
{
    /// <summary>The largest value kept as it is: one hour.</summary>
    public const long HighestTrackableNanoseconds = 3_600_000_000_000;

    private static readonly double NanosecondsPerTick = 1e9 / Stopwatch.Frequency;

    private readonly LongConcurrentHistogram _histogram = new(1, HighestTrackableNanoseconds, 3);
    private long _max;

    /// <summary>Values recorded so far.</summary>
    public long Count => _histogram.TotalCount;

    /// <summary>The largest value recorded, exactly (not rounded to its bucket).</summary>
    public long Max => Volatile.Read(ref _max);

    /// <summary>Records the time between two <see cref="Stopwatch.GetTimestamp"/> readings.</summary>
    public void RecordTicks(long startTimestamp, long endTimestamp) => RecordElapsedTicks(endTimestamp - startTimestamp);

    /// <summary>Records an elapsed time in <see cref="Stopwatch"/> ticks.</summary>
    public void RecordElapsedTicks(long elapsedTicks) => RecordNanoseconds((long)(elapsedTicks * NanosecondsPerTick));

    /// <summary>Records one value in nanoseconds.</summary>
    public void RecordNanoseconds(long nanoseconds)
    {
        long value = Math.Clamp(nanoseconds, 0, HighestTrackableNanoseconds);
        _histogram.RecordValue(value);
        long max = Volatile.Read(ref _max);
        while (value > max)
        {
            long seen = Interlocked.CompareExchange(ref _max, value, max);
            if (seen == max)
            {
                break;
            }

            max = seen;
        }
    }

    /// <summary>Adds every value of <paramref name="other"/> (e.g. per-thread histograms into one).</summary>
    public void Add(LatencyHistogram other)
    {
        ArgumentNullException.ThrowIfNull(other);
        _histogram.Add(other._histogram);
        long max = other.Max;
        if (max > Max)
        {
            Volatile.Write(ref _max, max);
        }
    }

    /// <summary>Forgets every value.</summary>
    public void Clear()
    {
        _histogram.Reset();
        Volatile.Write(ref _max, 0);
    }

    /// <summary>
    /// The value at <paramref name="percentile"/> (0..100) in nanoseconds: the upper end of its bucket (so it is
    /// never understated by more than the exact maximum allows), 0 when nothing was recorded.
    /// </summary>
    public long ValueAtPercentile(double percentile)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(percentile, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(percentile, 100);
        return Count == 0 ? 0 : Math.Min(_histogram.GetValueAtPercentile(percentile), Max);
    }

    /// <summary>Count, p50, p99, p99.9 and maximum, in nanoseconds.</summary>
    public LatencySummary Summarize() => Count == 0
        ? LatencySummary.Empty
        : new LatencySummary(Count, ValueAtPercentile(50), ValueAtPercentile(99), ValueAtPercentile(99.9), Max);

    /// <summary>The cost of timing itself: two back-to-back <see cref="Stopwatch.GetTimestamp"/> readings, median of many, in ns.</summary>
    public static long MeasureTimerOverheadNanoseconds()
    {
        var histogram = new LatencyHistogram();
        for (int i = 0; i < 200_000; i++)
        {
            long a = Stopwatch.GetTimestamp();
            long b = Stopwatch.GetTimestamp();
            histogram.RecordTicks(a, b);
        }

        return histogram.ValueAtPercentile(50);
    }
}

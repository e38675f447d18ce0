using System.Diagnostics;

namespace KafkaFast.Tool;

/// <summary>Call latencies in log-linear buckets (about 3% resolution from 10 ns to minutes); fixed size, no allocation per sample.</summary>
internal sealed class LatencyHistogram
{
    private const int SubBuckets = 32;
    private readonly long[] _counts = new long[64 * SubBuckets];
    private long _total;
    private long _maxTicks;

    internal long Count => _total;

    internal void Record(long stopwatchTicks)
    {
        long ticks = Math.Max(stopwatchTicks, 1);
        int exponent = 63 - (int)long.LeadingZeroCount(ticks);
        int sub = exponent < 5 ? (int)(ticks & (SubBuckets - 1)) : (int)((ticks >> (exponent - 5)) & (SubBuckets - 1));
        _counts[exponent * SubBuckets + sub]++;
        _total++;
        _maxTicks = Math.Max(_maxTicks, ticks);
    }

    /// <summary>The latency at <paramref name="quantile"/> (0..1) in microseconds.</summary>
    internal double PercentileMicroseconds(double quantile)
    {
        if (_total == 0)
        {
            return 0;
        }

        long rank = (long)Math.Ceiling(quantile * _total);
        long seen = 0;
        for (int i = 0; i < _counts.Length; i++)
        {
            seen += _counts[i];
            if (seen >= rank)
            {
                int exponent = i / SubBuckets, sub = i % SubBuckets;
                long ticks = exponent < 5 ? sub : ((long)(SubBuckets + sub) << (exponent - 5));
                return Math.Min(ticks, _maxTicks) * 1e6 / Stopwatch.Frequency;
            }
        }

        return MaxMicroseconds;
    }

    internal double MaxMicroseconds => _maxTicks * 1e6 / Stopwatch.Frequency;
}

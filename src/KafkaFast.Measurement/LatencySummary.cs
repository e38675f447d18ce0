namespace KafkaFast.Measurement;

/// <summary>Percentiles of one <see cref="LatencyHistogram"/>, in nanoseconds.</summary>
/// <param name="Samples">Values recorded.</param>
/// <param name="P50">Median.</param>
/// <param name="P99">99th percentile.</param>
/// <param name="P999">99.9th percentile.</param>
/// <param name="Max">The exact maximum.</param>
public sealed record LatencySummary(long Samples, long P50, long P99, long P999, long Max)
{
    /// <summary>Nothing recorded.</summary>
    public static LatencySummary Empty { get; } = new(0, 0, 0, 0, 0);
}

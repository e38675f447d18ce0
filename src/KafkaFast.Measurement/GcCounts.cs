namespace KafkaFast.Measurement;

/// <summary>Managed bytes allocated (every thread, precise) and garbage collections per generation, at one moment or between two.</summary>
/// <param name="AllocatedBytes">GC.GetTotalAllocatedBytes(precise: true).</param>
/// <param name="Gen0">Generation-0 collections.</param>
/// <param name="Gen1">Generation-1 collections.</param>
/// <param name="Gen2">Generation-2 collections.</param>
public readonly record struct GcCounts(long AllocatedBytes, int Gen0, int Gen1, int Gen2)
{
    /// <summary>The counters now (no allocation).</summary>
    public static GcCounts Now() =>
        new(GC.GetTotalAllocatedBytes(precise: true), GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));

    /// <summary>What happened between <paramref name="start"/> and <paramref name="end"/>.</summary>
    public static GcCounts operator -(GcCounts end, GcCounts start) =>
        new(end.AllocatedBytes - start.AllocatedBytes, end.Gen0 - start.Gen0, end.Gen1 - start.Gen1, end.Gen2 - start.Gen2);

    /// <summary>Same as the subtraction operator.</summary>
    public static GcCounts Subtract(GcCounts end, GcCounts start) => end - start;

    /// <summary>The collections as "gen0/gen1/gen2".</summary>
    public string Collections => $"{Gen0}/{Gen1}/{Gen2}";
}

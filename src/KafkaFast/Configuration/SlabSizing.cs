namespace KafkaFast.Configuration;

/// <summary>
/// How the producer's memory budget is cut into slabs: each slab holds the largest message, its record header and its
/// headers' framing, rounded up to 64 KiB; every client needs at least two (one being written while one drains).
/// </summary>
internal static class SlabSizing
{
    internal const int MinimumSlabsPerClient = 2;

    private const int Granule = 64 * 1024;

    /// <summary>Bytes per slab for a message.max.bytes of <paramref name="messageMaxBytes"/> (at most 1,000,000,000).</summary>
    internal static int SlabSize(int messageMaxBytes) => checked((int)(((long)messageMaxBytes + Granule + Granule - 1) / Granule * Granule));

    /// <summary>The smallest budget for <paramref name="maxClients"/> clients.</summary>
    internal static long MinimumBudget(int maxClients, int messageMaxBytes) => (long)MinimumSlabsPerClient * maxClients * SlabSize(messageMaxBytes);
}

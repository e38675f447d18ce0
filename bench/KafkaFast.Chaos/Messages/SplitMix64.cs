namespace KafkaFast.Chaos.Messages;

/// <summary>A tiny deterministic generator (SplitMix64): a message's whole content follows from the run's seed and its id.</summary>
internal struct SplitMix64(ulong seed)
{
    private ulong _state = seed;

    internal ulong Next()
    {
        ulong z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>A number in [0, bound).</summary>
    internal int Below(int bound) => (int)(Next() % (ulong)bound);

    /// <summary>A number in [low, high].</summary>
    internal int Between(int low, int high) => low + Below(high - low + 1);

    internal void Fill(Span<byte> bytes)
    {
        while (bytes.Length >= 8)
        {
            BitConverter.TryWriteBytes(bytes, Next());
            bytes = bytes[8..];
        }

        if (!bytes.IsEmpty)
        {
            Span<byte> last = stackalloc byte[8];
            BitConverter.TryWriteBytes(last, Next());
            last[..bytes.Length].CopyTo(bytes);
        }
    }
}

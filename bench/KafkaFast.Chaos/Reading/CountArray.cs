namespace KafkaFast.Chaos.Reading;

/// <summary>A growable array of small saturating counters (one byte per message), in 1 Mi chunks. One writer thread.</summary>
internal sealed class CountArray
{
    private const int ChunkBits = 20;
    private const int ChunkSize = 1 << ChunkBits;
    private byte[][] _chunks = [];

    /// <summary>One past the highest index ever incremented.</summary>
    internal long Length { get; private set; }

    internal int this[long index]
    {
        get
        {
            long chunk = index >> ChunkBits;
            return chunk < _chunks.Length ? _chunks[chunk][index & (ChunkSize - 1)] : 0;
        }
    }

    /// <summary>Adds one (saturating at 255) and returns the new count.</summary>
    internal int Increment(long index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        long chunk = index >> ChunkBits;
        if (chunk >= _chunks.Length)
        {
            int old = _chunks.Length;
            Array.Resize(ref _chunks, (int)chunk + 1);
            for (int i = old; i < _chunks.Length; i++)
            {
                _chunks[i] = new byte[ChunkSize];
            }
        }

        ref byte count = ref _chunks[chunk][index & (ChunkSize - 1)];
        if (count < byte.MaxValue)
        {
            count++;
        }

        Length = Math.Max(Length, index + 1);
        return count;
    }
}

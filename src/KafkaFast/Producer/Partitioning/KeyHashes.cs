using System.Buffers.Binary;

namespace KafkaFast.Producer.Partitioning;

/// <summary>
/// The hash functions behind librdkafka's partitioners, bit for bit (rdcrc32.c, rdmurmur2.c, rdfnv1a.c), so a key
/// lands on the same partition as with any librdkafka-based client (and, for murmur2, the Java client).
/// </summary>
internal static class KeyHashes
{
    /// <summary>Slicing-by-8 tables: [k * 256 + n] is the CRC of byte n followed by k zero bytes.</summary>
    private static readonly uint[] s_crc32Tables = BuildCrc32Tables();

    /// <summary>CRC-32 (IEEE 802.3, reflected, as zlib): librdkafka's rd_crc32. Eight bytes per step.</summary>
    internal static uint Crc32(ReadOnlySpan<byte> data)
    {
        ReadOnlySpan<uint> t = s_crc32Tables;
        uint crc = 0xFFFFFFFF;
        while (data.Length >= 8)
        {
            uint one = BinaryPrimitives.ReadUInt32LittleEndian(data) ^ crc;
            uint two = BinaryPrimitives.ReadUInt32LittleEndian(data[4..]);
            crc = t[(7 * 256) + (int)(one & 0xFF)] ^ t[(6 * 256) + (int)((one >> 8) & 0xFF)] ^
                  t[(5 * 256) + (int)((one >> 16) & 0xFF)] ^ t[(4 * 256) + (int)(one >> 24)] ^
                  t[(3 * 256) + (int)(two & 0xFF)] ^ t[(2 * 256) + (int)((two >> 8) & 0xFF)] ^
                  t[256 + (int)((two >> 16) & 0xFF)] ^ t[(int)(two >> 24)];
            data = data[8..];
        }

        foreach (byte b in data)
        {
            crc = t[(int)((crc ^ b) & 0xFF)] ^ (crc >> 8);
        }

        return ~crc;
    }

    /// <summary>Kafka's murmur2 (seed 0x9747b28c): librdkafka's rd_murmur2.</summary>
    internal static uint Murmur2(ReadOnlySpan<byte> data)
    {
        const uint m = 0x5bd1e995;
        const int r = 24;
        uint h = 0x9747b28c ^ (uint)data.Length;
        int i = 0;
        for (; i + 4 <= data.Length; i += 4)
        {
            uint k = BinaryPrimitives.ReadUInt32LittleEndian(data[i..]);
            k *= m;
            k ^= k >> r;
            k *= m;
            h *= m;
            h ^= k;
        }

        switch (data.Length - i)
        {
            case 3:
                h ^= (uint)data[i + 2] << 16;
                goto case 2;
            case 2:
                h ^= (uint)data[i + 1] << 8;
                goto case 1;
            case 1:
                h ^= data[i];
                h *= m;
                break;
        }

        h ^= h >> 13;
        h *= m;
        h ^= h >> 15;
        return h;
    }

    /// <summary>32-bit FNV-1a, then the absolute value as a signed int (Sarama's convention): librdkafka's rd_fnv1a.</summary>
    internal static uint Fnv1a(ReadOnlySpan<byte> data)
    {
        uint h = 0x811C9DC5;
        foreach (byte b in data)
        {
            h ^= b;
            h *= 0x01000193;
        }

        int signed = unchecked((int)h);
        return unchecked((uint)(signed < 0 ? -signed : signed));
    }

    private static uint[] BuildCrc32Tables()
    {
        var tables = new uint[8 * 256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
            }

            tables[n] = c;
        }

        for (int k = 1; k < 8; k++)
        {
            for (int n = 0; n < 256; n++)
            {
                uint previous = tables[((k - 1) * 256) + n];
                tables[(k * 256) + n] = (previous >> 8) ^ tables[(int)(previous & 0xFF)];
            }
        }

        return tables;
    }
}

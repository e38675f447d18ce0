using System.Text;
using KafkaFast.Producer.Partitioning;

namespace KafkaFast.Tests.Partitioning;

/// <summary>CRC-32 known answers; murmur2 and fnv1a are checked against librdkafka itself in ProducerRoundTripTests.</summary>
public class KeyHashesTests
{
    [Theory]
    [InlineData("", 0x00000000u)]
    [InlineData("a", 0xE8B7BE43u)]
    [InlineData("123456789", 0xCBF43926u)]
    [InlineData("The quick brown fox jumps over the lazy dog", 0x414FA339u)]
    public void Crc32_matches_the_IEEE_check_values(string text, uint expected) =>
        Assert.Equal(expected, KeyHashes.Crc32(Encoding.ASCII.GetBytes(text)));

    [Fact]
    public void Crc32_is_the_same_for_every_length_and_alignment()
    {
        var random = new Random(7);
        byte[] data = new byte[100];
        random.NextBytes(data);
        for (int start = 0; start < 9; start++)
        {
            for (int length = 0; length + start <= data.Length; length++)
            {
                Assert.Equal(BitwiseCrc32(data.AsSpan(start, length)), KeyHashes.Crc32(data.AsSpan(start, length)));
            }
        }
    }

    private static uint BitwiseCrc32(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? 0xEDB88320 ^ (crc >> 1) : crc >> 1;
            }
        }

        return ~crc;
    }
}

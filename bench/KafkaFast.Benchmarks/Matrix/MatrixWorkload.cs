using System.Buffers.Binary;
using System.Text;

namespace KafkaFast.Benchmarks.Matrix;

/// <summary>
/// The matrix's messages, identical in every client, the raw C producer included (bench/raw-c/producer.c computes
/// the same): message number s (its sequence) has one of 1024 16-byte keys, chosen by the top 10 bits of
/// s × 2^64/φ, and a 100-byte value holding s (little endian) then a fixed pattern. Reading the topic back, every
/// record names its sequence, so loss, duplication and order per partition can be checked, and the bytes compared.
/// </summary>
internal static class MatrixWorkload
{
    internal const int KeyLength = 16;
    internal const int ValueLength = 100;
    internal const int KeyCount = 1024;

    private static readonly byte[][] Keys = Enumerable.Range(0, KeyCount)
        .Select(k => Encoding.ASCII.GetBytes($"key-{k:D12}")).ToArray();

    private static readonly byte[] Pattern = Enumerable.Range(0, ValueLength).Select(j => j < 8 ? (byte)0 : (byte)(j * 7 + 11)).ToArray();

    /// <summary>The key of message <paramref name="sequence"/> (a shared array: do not change it).</summary>
    internal static byte[] Key(long sequence) => Keys[(int)(unchecked((ulong)sequence * 0x9E3779B97F4A7C15UL) >> 54)];

    /// <summary>A value buffer with the fixed pattern; <see cref="SetSequence"/> writes the message number into it.</summary>
    internal static byte[] NewValue() => (byte[])Pattern.Clone();

    internal static void SetSequence(Span<byte> value, long sequence) => BinaryPrimitives.WriteInt64LittleEndian(value, sequence);

    /// <summary>The sequence a read-back record carries, or -1 when its key or value is not what was written for it.</summary>
    internal static long Verify(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        if (value.Length != ValueLength || key.Length != KeyLength)
        {
            return -1;
        }

        long sequence = BinaryPrimitives.ReadInt64LittleEndian(value);
        return sequence >= 0 && key.SequenceEqual(Key(sequence)) && value[8..].SequenceEqual(Pattern.AsSpan(8)) ? sequence : -1;
    }
}

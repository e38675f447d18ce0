using System.Runtime.CompilerServices;
using System.Text;

namespace KafkaFast.Buffers;

/// <summary>
/// Headers inside a record: per header, int32 name length, UTF-8 name, NUL (librdkafka takes C strings),
/// int32 value length, value bytes. Unaligned ints, native byte order (only this process reads them).
/// </summary>
internal static unsafe class HeaderCodec
{
    private const int FramingPerHeader = sizeof(int) + 1 + sizeof(int);

    /// <summary>
    /// Bytes one header takes in the record (framed), and bytes librdkafka counts for it against message.max.bytes
    /// (rd_kafka_header_add: name + value + the zig-zag varints of both lengths).
    /// </summary>
    internal static (long Framed, long WireSize) Measure(string name, int valueLength)
    {
        int nameLength = Encoding.UTF8.GetByteCount(name);
        long payload = (long)nameLength + valueLength;
        return (payload + FramingPerHeader, payload + ZigZagVarintSize(nameLength) + ZigZagVarintSize(valueLength));
    }

    /// <summary>Bytes of a length as a zig-zag varint (rd_uvarint_enc_i64: 7 bits per byte of 2n for n >= 0).</summary>
    internal static int ZigZagVarintSize(long value)
    {
        ulong zigzag = (ulong)((value << 1) ^ (value >> 63));
        int size = 1;
        while (zigzag >= 0x80)
        {
            zigzag >>= 7;
            size++;
        }

        return size;
    }

    /// <summary>Writes one header at <paramref name="destination"/> and advances it past the header.</summary>
    internal static void Write(ref byte* destination, string name, ReadOnlySpan<byte> value)
    {
        int nameLength = Encoding.UTF8.GetBytes(name, new Span<byte>(destination + sizeof(int), Encoding.UTF8.GetMaxByteCount(name.Length)));
        Unsafe.WriteUnaligned(destination, nameLength);
        destination += sizeof(int) + nameLength;
        *destination++ = 0;
        Unsafe.WriteUnaligned(destination, value.Length);
        destination += sizeof(int);
        value.CopyTo(new Span<byte>(destination, value.Length));
        destination += value.Length;
    }

    /// <summary>Reads one header and advances <paramref name="cursor"/> past it.</summary>
    internal static void Read(ref byte* cursor, out byte* name, out byte* value, out int valueLength)
    {
        int nameLength = Unsafe.ReadUnaligned<int>(cursor);
        name = cursor + sizeof(int);
        cursor = name + nameLength + 1;
        valueLength = Unsafe.ReadUnaligned<int>(cursor);
        value = cursor + sizeof(int);
        cursor = value + valueLength;
    }
}

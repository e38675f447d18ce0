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

    /// <summary>Bytes of framed headers in the record, and bytes counted against message.max.bytes (names + values).</summary>
    internal static (long Framed, long Payload) Measure(ReadOnlySpan<KafkaHeader> headers)
    {
        long framed = 0, payload = 0;
        foreach (KafkaHeader header in headers)
        {
            if (header.Key is null)
            {
                throw new ArgumentException("A header has a null key.", nameof(headers));
            }

            long size = Encoding.UTF8.GetByteCount(header.Key) + header.Value.Length;
            payload += size;
            framed += size + FramingPerHeader;
        }

        return (framed, payload);
    }

    internal static void Write(ReadOnlySpan<KafkaHeader> headers, byte* destination)
    {
        foreach (KafkaHeader header in headers)
        {
            int nameLength = Encoding.UTF8.GetBytes(header.Key, new Span<byte>(destination + sizeof(int), Encoding.UTF8.GetMaxByteCount(header.Key.Length)));
            Unsafe.WriteUnaligned(destination, nameLength);
            destination += sizeof(int) + nameLength;
            *destination++ = 0;
            ReadOnlySpan<byte> value = header.Value.Span;
            Unsafe.WriteUnaligned(destination, value.Length);
            destination += sizeof(int);
            value.CopyTo(new Span<byte>(destination, value.Length));
            destination += value.Length;
        }
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

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
    /// Bytes one header takes in the record (framed), and bytes it counts against message.max.bytes (name + value).
    /// </summary>
    internal static (long Framed, long Payload) Measure(string name, int valueLength)
    {
        long payload = Encoding.UTF8.GetByteCount(name) + valueLength;
        return (payload + FramingPerHeader, payload);
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

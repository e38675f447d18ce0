using System.Buffers.Binary;
using System.IO.Hashing;

namespace KafkaFast.Chaos.Messages;

/// <summary>
/// Builds every message of a run from (seed, id) and nothing else, so producers need no record of what they sent
/// and readers compare what they read byte for byte with a rebuilt copy. The value carries the id and a checksum:
/// binary streams <c>'B' id:u64 length:i32 body checksum:u64</c>; text streams the same fields as ASCII
/// <c>'T' id:16 hex length:8 hex body checksum:16 hex</c> (so the UTF-16 call and the UTF-8 bytes agree).
/// The checksum is XxHash64 of everything before it.
/// </summary>
internal sealed class MessageFactory(ulong seed, int partitionCount, Func<int, StreamKind> kindOfStream)
{
    internal const int ValueOverhead = 1 + 16 + 8 + 16; // the text form is the longer one
    internal const int MaxValueLength = MessageLayout.MaxBodyLength + ValueOverhead;
    internal const int MaxKeyLength = 1 + 16 + 8;
    internal const int MaxHeaderValueLength = 32;

    internal ulong Seed { get; } = seed;

    internal int PartitionCount { get; } = partitionCount;

    internal StreamKind KindOf(int stream) => kindOfStream(stream);

    internal MessageLayout Layout(MessageId id) => MessageLayout.Draw(Seed, id, PartitionCount);

    internal static ulong Mix(ulong seed, MessageId id, int aspect)
    {
        var rng = new SplitMix64(seed ^ (id.Packed * 0xD6E8FEB86659FD93UL) ^ ((ulong)aspect << 58));
        return rng.Next();
    }

    /// <summary>The key bytes (UTF-8 for text streams); 0 = no key.</summary>
    internal int WriteKey(MessageId id, in MessageLayout layout, Span<byte> destination)
    {
        if (!layout.HasKey)
        {
            return 0;
        }

        var rng = new SplitMix64(Mix(Seed, id, aspect: 1));
        if (KindOf(id.Stream) == StreamKind.Text)
        {
            destination[0] = (byte)'k';
            WriteHex(id.Packed, destination.Slice(1, 16));
            for (int i = 0; i < layout.KeyExtra; i++)
            {
                destination[17 + i] = (byte)('a' + rng.Below(26));
            }

            return 17 + layout.KeyExtra;
        }

        BinaryPrimitives.WriteUInt64LittleEndian(destination, id.Packed);
        rng.Fill(destination.Slice(8, layout.KeyExtra));
        return 8 + layout.KeyExtra;
    }

    /// <summary>The value bytes (for text streams: the UTF-8, here ASCII, of the text the stream produces).</summary>
    internal int WriteValue(MessageId id, in MessageLayout layout, Span<byte> destination)
    {
        var rng = new SplitMix64(Mix(Seed, id, aspect: 2));
        int length;
        if (KindOf(id.Stream) == StreamKind.Text)
        {
            destination[0] = (byte)'T';
            WriteHex(id.Packed, destination.Slice(1, 16));
            WriteHex((uint)layout.BodyLength, destination.Slice(17, 8));
            Span<byte> body = destination.Slice(25, layout.BodyLength);
            rng.Fill(body);
            for (int i = 0; i < body.Length; i++)
            {
                body[i] = (byte)('!' + (body[i] % 94));
            }

            length = 25 + layout.BodyLength;
            WriteHex(XxHash64.HashToUInt64(destination[..length]), destination.Slice(length, 16));
            return length + 16;
        }

        destination[0] = (byte)'B';
        BinaryPrimitives.WriteUInt64LittleEndian(destination[1..], id.Packed);
        BinaryPrimitives.WriteInt32LittleEndian(destination[9..], layout.BodyLength);
        rng.Fill(destination.Slice(13, layout.BodyLength));
        length = 13 + layout.BodyLength;
        BinaryPrimitives.WriteUInt64LittleEndian(destination[length..], XxHash64.HashToUInt64(destination[..length]));
        return length + 8;
    }

    internal static string HeaderName(int index) => index switch { 0 => "h0", 1 => "h1", _ => "h2" };

    /// <summary>Header <paramref name="index"/>'s value (0..32 bytes; empty values included on purpose).</summary>
    internal int WriteHeaderValue(MessageId id, int index, Span<byte> destination)
    {
        var rng = new SplitMix64(Mix(Seed, id, aspect: 3 + index));
        int length = rng.Below(MaxHeaderValueLength + 1);
        rng.Fill(destination[..length]);
        return length;
    }

    /// <summary>
    /// Reads the id a value claims and checks its checksum. False (with a reason) when the bytes are not a message
    /// of this program or were damaged.
    /// </summary>
    internal static bool TryReadId(ReadOnlySpan<byte> value, out MessageId id, out string? problem)
    {
        id = default;
        if (value.Length >= 13 + 8 && value[0] == (byte)'B')
        {
            int body = BinaryPrimitives.ReadInt32LittleEndian(value[9..]);
            if (body < 0 || 13 + body + 8 != value.Length)
            {
                problem = $"binary value of {value.Length} bytes claims a body of {body}";
                return false;
            }

            ulong sum = BinaryPrimitives.ReadUInt64LittleEndian(value[(13 + body)..]);
            if (sum != XxHash64.HashToUInt64(value[..(13 + body)]))
            {
                problem = "checksum mismatch";
                return false;
            }

            id = MessageId.Unpack(BinaryPrimitives.ReadUInt64LittleEndian(value[1..]));
            problem = null;
            return true;
        }

        if (value.Length >= 25 + 16 && value[0] == (byte)'T' && TryReadHex(value.Slice(1, 16), out ulong packed) && TryReadHex(value.Slice(17, 8), out ulong bodyLength))
        {
            int end = 25 + (int)bodyLength;
            if (end + 16 != value.Length || !TryReadHex(value.Slice(end, 16), out ulong sum))
            {
                problem = $"text value of {value.Length} bytes claims a body of {bodyLength}";
                return false;
            }

            if (sum != XxHash64.HashToUInt64(value[..end]))
            {
                problem = "checksum mismatch";
                return false;
            }

            id = MessageId.Unpack(packed);
            problem = null;
            return true;
        }

        problem = $"not a chaos message ({value.Length} bytes, first byte {(value.IsEmpty ? "none" : value[0].ToString(System.Globalization.CultureInfo.InvariantCulture))})";
        return false;
    }

    private static void WriteHex(ulong value, Span<byte> destination)
    {
        for (int i = destination.Length - 1; i >= 0; i--)
        {
            destination[i] = (byte)"0123456789abcdef"[(int)(value & 0xF)];
            value >>= 4;
        }
    }

    private static bool TryReadHex(ReadOnlySpan<byte> text, out ulong value)
    {
        value = 0;
        foreach (byte c in text)
        {
            int digit = c is >= (byte)'0' and <= (byte)'9' ? c - '0' : c is >= (byte)'a' and <= (byte)'f' ? c - 'a' + 10 : -1;
            if (digit < 0)
            {
                return false;
            }

            value = (value << 4) | (uint)digit;
        }

        return true;
    }
}

using System.Runtime.InteropServices;
using System.Text;

namespace KafkaFast.Native;

/// <summary>
/// Reads a consumed rd_kafka_message_t and its headers given as addresses, so the consumer's public views hold no
/// pointers and need no unsafe code.
/// <para>
/// Invariant of every method: <c>message</c> is a message rd_kafka_consume_batch_queue returned that has not been
/// destroyed yet (callers check the generation of the batch that owns it first), so its payload, key, topic and
/// parsed headers stay valid until rd_kafka_message_destroy; <c>headers</c> is the list
/// <see cref="Headers"/> returned for such a message (owned by it); <c>rkt</c> is the topic of such a message (its
/// name lives as long as the message references it). Spans returned are only valid for as long.
/// </para>
/// </summary>
internal static unsafe class RdKafkaMessageFields
{
    internal static int Error(nint message) => ((RdKafkaMessage*)message)->Err;

    internal static nint Topic(nint message) => ((RdKafkaMessage*)message)->Topic;

    internal static int Partition(nint message) => ((RdKafkaMessage*)message)->Partition;

    internal static long Offset(nint message) => ((RdKafkaMessage*)message)->Offset;

    /// <summary>The key; empty when it is null or empty (<see cref="IsKeyNull"/> tells them apart).</summary>
    internal static ReadOnlySpan<byte> Key(nint message)
    {
        var m = (RdKafkaMessage*)message;
        return new ReadOnlySpan<byte>(m->Key, checked((int)m->KeyLength));
    }

    internal static bool IsKeyNull(nint message) => ((RdKafkaMessage*)message)->Key == null;

    /// <summary>The value (payload); empty when it is null or empty (<see cref="IsValueNull"/> tells them apart).</summary>
    internal static ReadOnlySpan<byte> Value(nint message)
    {
        var m = (RdKafkaMessage*)message;
        return new ReadOnlySpan<byte>(m->Payload, checked((int)m->Length));
    }

    internal static bool IsValueNull(nint message) => ((RdKafkaMessage*)message)->Payload == null;

    /// <summary>Milliseconds since the epoch, and the timestamp type (0 none, 1 create time, 2 log append time).</summary>
    internal static long Timestamp(nint message, out int type)
    {
        int t;
        long ms = LibRdKafka.MessageTimestamp((RdKafkaMessage*)message, &t);
        type = t;
        return ms;
    }

    internal static int LeaderEpoch(nint message) => LibRdKafka.MessageLeaderEpoch((RdKafkaMessage*)message);

    /// <summary>The topic's name as UTF-8, in librdkafka's memory.</summary>
    internal static ReadOnlySpan<byte> TopicName(nint rkt) => MemoryMarshal.CreateReadOnlySpanFromNullTerminated(LibRdKafka.TopicName(rkt));

    /// <summary>An error message's reason: librdkafka puts its text in the payload, else the error code's text.</summary>
    internal static string ErrorReason(nint message)
    {
        var m = (RdKafkaMessage*)message;
        return m->Payload != null && m->Length > 0
            ? Encoding.UTF8.GetString(m->Payload, (int)Math.Min(m->Length, 4096))
            : LibRdKafka.ErrorText(m->Err);
    }

    /// <summary>The parsed header list (owned by the message; librdkafka parses it on first use), or 0 when there is none.</summary>
    internal static nint Headers(nint message)
    {
        nint headers;
        return LibRdKafka.MessageHeaders((RdKafkaMessage*)message, &headers) == 0 ? headers : 0;
    }

    internal static int HeaderCount(nint headers) => headers == 0 ? 0 : (int)LibRdKafka.HeaderCount(headers);

    /// <summary>The header at <paramref name="index"/>: its NUL-terminated name and its value (0 for a null value); false past the end.</summary>
    internal static bool TryGetHeader(nint headers, int index, out nint name, out nint value, out nuint size)
    {
        byte* n;
        byte* v;
        nuint s;
        if (headers == 0 || index < 0 || LibRdKafka.HeaderGetAll(headers, (nuint)index, &n, &v, &s) != 0)
        {
            name = 0;
            value = 0;
            size = 0;
            return false;
        }

        name = (nint)n;
        value = (nint)v;
        size = s;
        return true;
    }

    /// <summary>The value of the last header called <paramref name="nameZ"/> (UTF-8, NUL-terminated); false when there is none.</summary>
    internal static bool TryGetLastHeader(nint headers, scoped ReadOnlySpan<byte> nameZ, out ReadOnlySpan<byte> value)
    {
        value = default;
        if (headers == 0)
        {
            return false;
        }

        byte* found;
        nuint size;
        fixed (byte* name = nameZ)
        {
            if (LibRdKafka.HeaderGetLast(headers, name, &found, &size) != 0)
            {
                return false;
            }
        }

        value = found == null ? default : new ReadOnlySpan<byte>(found, checked((int)size));
        return true;
    }

    /// <summary>A NUL-terminated string in librdkafka's memory (a header name), without the NUL.</summary>
    internal static ReadOnlySpan<byte> NullTerminated(nint text) => MemoryMarshal.CreateReadOnlySpanFromNullTerminated((byte*)text);

    /// <summary><paramref name="size"/> bytes at <paramref name="data"/> in librdkafka's memory; empty for 0 (a null header value).</summary>
    internal static ReadOnlySpan<byte> Bytes(nint data, nuint size) => data == 0 ? default : new ReadOnlySpan<byte>((void*)data, checked((int)size));
}

using KafkaFast.Buffers;

namespace KafkaFast.Producer.Engine;

/// <summary>A producer call's <see cref="KafkaHeader"/>s in a record, in the layout of <see cref="HeaderCodec"/>.</summary>
internal static unsafe class RecordHeaders
{
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

            (long headerFramed, long headerPayload) = HeaderCodec.Measure(header.Key, header.Value.Length);
            framed += headerFramed;
            payload += headerPayload;
        }

        return (framed, payload);
    }

    /// <summary>Writes the headers one after another from <paramref name="destination"/> (room measured by <see cref="Measure"/>).</summary>
    internal static void Write(ReadOnlySpan<KafkaHeader> headers, byte* destination)
    {
        foreach (KafkaHeader header in headers)
        {
            HeaderCodec.Write(ref destination, header.Key, header.Value.Span);
        }
    }
}

using KafkaFast.Buffers;

namespace KafkaFast.Producer.Engine;

/// <summary>A producer call's <see cref="KafkaHeader"/>s in a record, in the layout of <see cref="HeaderCodec"/>.</summary>
internal static unsafe class RecordHeaders
{
    /// <summary>
    /// Bytes of framed headers in the record, and their serialized size as librdkafka counts it against
    /// message.max.bytes. Throws for a header without a name or more headers than a record can hold.
    /// </summary>
    internal static (long Framed, long WireSize) Measure(ReadOnlySpan<KafkaHeader> headers, int index = -1)
    {
        if (headers.Length > MessageRecord.MaxHeaderCount)
        {
            throw new ArgumentException($"{Which(index)} has {headers.Length} headers; at most {MessageRecord.MaxHeaderCount} are allowed.", nameof(headers));
        }

        long framed = 0, wireSize = 0;
        foreach (KafkaHeader header in headers)
        {
            if (header.Key is null)
            {
                throw new ArgumentException($"{Which(index)} has a header with a null name.", nameof(headers));
            }

            (long headerFramed, long headerWireSize) = HeaderCodec.Measure(header.Key, header.Value.Length);
            framed += headerFramed;
            wireSize += headerWireSize;
        }

        return (framed, wireSize);
    }

    /// <summary>Writes the headers one after another from <paramref name="destination"/> (room measured by <see cref="Measure"/>).</summary>
    internal static void Write(ReadOnlySpan<KafkaHeader> headers, byte* destination)
    {
        foreach (KafkaHeader header in headers)
        {
            HeaderCodec.Write(ref destination, header.Key, header.Value.Span);
        }
    }

    private static string Which(int index) => index >= 0 ? $"Message {index} of the batch" : "The message";
}

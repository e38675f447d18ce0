using System.Diagnostics;
using System.Text;
using KafkaFast.Producer;

namespace KafkaFast.AspNetCore.Diagnostics;

/// <summary>
/// W3C trace context in Kafka message headers: the request-event middleware writes <c>traceparent</c> (and
/// <c>tracestate</c> when there is one); a consumer restores the context with <see cref="TryExtract(ReadOnlySpan{byte}, ReadOnlySpan{byte}, out ActivityContext)"/>
/// and starts its processing span as a child or a link of it.
/// </summary>
public static class KafkaTraceContext
{
    /// <summary>The header carrying the W3C traceparent ("00-{trace id}-{span id}-{flags}").</summary>
    public const string TraceParentHeader = "traceparent";

    /// <summary>The header carrying the W3C tracestate.</summary>
    public const string TraceStateHeader = "tracestate";

    /// <summary>Length of a version-00 traceparent.</summary>
    internal const int TraceParentLength = 55;

    /// <summary>Parses header values (UTF-8) into an <see cref="ActivityContext"/> marked remote.</summary>
    public static bool TryExtract(ReadOnlySpan<byte> traceParent, ReadOnlySpan<byte> traceState, out ActivityContext context)
    {
        context = default;
        if (traceParent.Length != TraceParentLength)
        {
            return false;
        }

        return ActivityContext.TryParse(Encoding.UTF8.GetString(traceParent), traceState.IsEmpty ? null : Encoding.UTF8.GetString(traceState), isRemote: true, out context);
    }

    /// <summary>Finds the trace headers among a message's headers and parses them.</summary>
    public static bool TryExtract(IEnumerable<KafkaHeader> headers, out ActivityContext context)
    {
        ArgumentNullException.ThrowIfNull(headers);
        ReadOnlyMemory<byte> parent = default, state = default;
        foreach (KafkaHeader header in headers)
        {
            if (header.Key == TraceParentHeader)
            {
                parent = header.Value;
            }
            else if (header.Key == TraceStateHeader)
            {
                state = header.Value;
            }
        }

        return TryExtract(parent.Span, state.Span, out context);
    }

    /// <summary>Writes "00-{trace id}-{span id}-{flags}" as UTF-8 into <paramref name="destination"/> (55 bytes). No allocation.</summary>
    internal static int WriteTraceParent(in ActivityContext context, Span<byte> destination)
    {
        Span<byte> id = stackalloc byte[16];
        destination[0] = (byte)'0';
        destination[1] = (byte)'0';
        destination[2] = (byte)'-';
        context.TraceId.CopyTo(id);
        Convert.TryToHexStringLower(id, destination.Slice(3, 32), out _);
        destination[35] = (byte)'-';
        context.SpanId.CopyTo(id[..8]);
        Convert.TryToHexStringLower(id[..8], destination.Slice(36, 16), out _);
        destination[52] = (byte)'-';
        destination[53] = (byte)'0';
        destination[54] = (context.TraceFlags & ActivityTraceFlags.Recorded) != 0 ? (byte)'1' : (byte)'0';
        return TraceParentLength;
    }
}

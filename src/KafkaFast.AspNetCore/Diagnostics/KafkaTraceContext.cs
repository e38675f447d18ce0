using System.Diagnostics;
using System.Text;
using System.Text.Json;
using KafkaFast.Producer;

namespace KafkaFast.AspNetCore.Diagnostics;

/// <summary>
/// W3C trace context of request events: the middleware writes <c>traceparent</c> (and <c>tracestate</c> when there is
/// one) into the event's JSON, and as Kafka message headers too with TraceContextInHeaders. A consumer restores the
/// context with <see cref="TryExtractFromEvent"/> (from the event) or <see cref="TryExtract(IEnumerable{KafkaHeader}, out ActivityContext)"/>
/// (from the headers) and starts its processing span as a child or a link of it.
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

    /// <summary>
    /// Reads the trace context a request event carries (its top-level "traceparent" and "tracestate" fields, see
    /// KafkaRequestEventOptions.PropagateTraceContext) into an <see cref="ActivityContext"/> marked remote.
    /// </summary>
    /// <param name="requestEvent">The event's JSON (the message value), UTF-8.</param>
    /// <param name="context">The parsed context.</param>
    /// <returns>False when the event has no valid traceparent (or is not a JSON object).</returns>
    public static bool TryExtractFromEvent(ReadOnlySpan<byte> requestEvent, out ActivityContext context)
    {
        context = default;
        string? parent = null, state = null;
        var reader = new Utf8JsonReader(requestEvent);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                bool isParent = reader.ValueTextEquals(TraceParentHeader);
                bool isState = !isParent && reader.ValueTextEquals(TraceStateHeader);
                reader.Read();
                if (isParent && reader.TokenType == JsonTokenType.String)
                {
                    parent = reader.GetString();
                }
                else if (isState && reader.TokenType == JsonTokenType.String)
                {
                    state = reader.GetString();
                }
                else
                {
                    reader.Skip();
                }
            }
        }
        catch (JsonException)
        {
            return false;
        }

        return parent is { Length: TraceParentLength } && ActivityContext.TryParse(parent, state, isRemote: true, out context);
    }

    /// <summary>
    /// Writes <paramref name="activity"/>'s "00-{trace id}-{span id}-{flags}" as ASCII into <paramref name="destination"/>
    /// (55 bytes) from the hex strings the activity keeps: nothing parsed, nothing allocated.
    /// </summary>
    internal static void WriteTraceParent(Activity activity, Span<byte> destination)
    {
        destination[0] = (byte)'0';
        destination[1] = (byte)'0';
        destination[2] = (byte)'-';
        System.Text.Ascii.FromUtf16(activity.TraceId.ToHexString(), destination.Slice(3, 32), out _);
        destination[35] = (byte)'-';
        System.Text.Ascii.FromUtf16(activity.SpanId.ToHexString(), destination.Slice(36, 16), out _);
        destination[52] = (byte)'-';
        destination[53] = (byte)'0';
        destination[54] = (activity.ActivityTraceFlags & ActivityTraceFlags.Recorded) != 0 ? (byte)'1' : (byte)'0';
    }

    /// <summary>The request's own traceparent header, when it has exactly one of the right length (forwarded when there is no activity).</summary>
    internal static string? IncomingTraceParent(Microsoft.AspNetCore.Http.HttpRequest request)
    {
        Microsoft.Extensions.Primitives.StringValues header = request.Headers.TraceParent;
        return header.Count == 1 && header[0] is { Length: TraceParentLength } value ? value : null;
    }
}

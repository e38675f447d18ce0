using System.Buffers;
using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Routing;

namespace KafkaFast.AspNetCore.Benchmarks;

/// <summary>The same fields as KafkaFast's end event (and its traceparent), written the usual way.</summary>
internal static class UsualEvent
{
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    [ThreadStatic]
    private static Utf8JsonWriter? t_json;

    /// <summary>Serializes into a per-thread buffer (reused: the pooled-buffer way) and returns what was written.</summary>
    public static ReadOnlySpan<byte> Serialize(HttpContext context, long started, DateTime startedUtc)
    {
        ArrayBufferWriter<byte> buffer = t_buffer ??= new ArrayBufferWriter<byte>(1024);
        buffer.ResetWrittenCount();
        Utf8JsonWriter json = t_json ??= new Utf8JsonWriter(buffer);
        json.Reset(buffer);
        Write(json, context, started, startedUtc);
        json.Flush();
        return buffer.WrittenSpan;
    }

    public static void Write(Utf8JsonWriter json, HttpContext context, long started, DateTime startedUtc)
    {
        HttpRequest request = context.Request;
        json.WriteStartObject();
        json.WriteString("event", "request.end");
        json.WriteString("id", context.TraceIdentifier);
        json.WriteString("ts", DateTime.UtcNow);
        json.WriteString("start", startedUtc);
        json.WriteString("method", request.Method);
        json.WriteString("scheme", request.Scheme);
        json.WriteString("host", request.Host.Value);
        json.WriteString("path", request.Path.Value);
        if (context.GetEndpoint() is RouteEndpoint { RoutePattern.RawText: { } route })
        {
            json.WriteString("route", route);
        }

        json.WriteString("protocol", request.Protocol);
        json.WriteNumber("status", context.Response.StatusCode);
        json.WriteNumber("duration_ms", Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        if (context.Response.ContentLength is long length)
        {
            json.WriteNumber("response_bytes", length);
        }

        if (context.Connection.RemoteIpAddress is IPAddress address)
        {
            json.WriteString("client", address.ToString());
        }

        if (request.Headers.UserAgent.Count > 0)
        {
            json.WriteString("user_agent", request.Headers.UserAgent.ToString());
        }

        if (Activity.Current is { } activity)
        {
            json.WriteString("trace_id", activity.TraceId.ToHexString());
            json.WriteString("span_id", activity.SpanId.ToHexString());
        }

        json.WriteEndObject();
    }

    /// <summary>"00-{trace}-{span}-{flags}" of the current activity, or null.</summary>
    public static string? TraceParent() => Activity.Current is { IdFormat: ActivityIdFormat.W3C } activity ? activity.Id : null;
}

using System.Buffers;
using System.Buffers.Text;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text.Json;
using KafkaFast.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace KafkaFast.AspNetCore.RequestEvents;

/// <summary>
/// The event's JSON (its schema is the table in docs/ASPNETCORE.md, "Request events"): written with the producer's
/// <see cref="Utf8JsonWriter"/> straight into its buffer, names pre-encoded, nothing allocated. Credential headers are
/// written as "***".
/// </summary>
internal sealed class RequestEventWriter
{
    /// <summary>Headers whose values are never written, even when listed in IncludeHeaders.</summary>
    internal static readonly string[] CredentialHeaders = ["Authorization", "Proxy-Authorization", "Cookie", "Set-Cookie", "X-Api-Key", "Api-Key", "X-Auth-Token"];

    /// <summary>The produce call's writer: static, so no delegate is allocated per event.</summary>
    internal static readonly Action<Utf8JsonWriter, RequestEventState> WriteState = static (json, state) => state.Writer.Write(json, in state);

    /// <summary>The route of each endpoint, encoded once (endpoints live as long as the application's routes).</summary>
    private static readonly ConditionalWeakTable<Endpoint, EncodedRoute> s_routes = new();

    private readonly bool _includeQuery;
    private readonly bool _propagateTraceContext;
    private readonly HeaderField[] _headers;
    private readonly Action<Utf8JsonWriter, HttpContext, RequestEventPhase>? _writeFields;

    public RequestEventWriter(KafkaRequestEventOptions options)
    {
        _includeQuery = options.IncludeQuery;
        _propagateTraceContext = options.PropagateTraceContext;
        _writeFields = options.WriteFields;
        _headers = options.IncludeHeaders.Distinct(StringComparer.OrdinalIgnoreCase)
            .Select(h => new HeaderField(h, JsonEncodedText.Encode(h.ToLowerInvariant()), CredentialHeaders.Contains(h, StringComparer.OrdinalIgnoreCase)))
            .ToArray();
    }

    /// <summary>The event's fields. Runs inside the producer's serialize-in-place call: no allocation.</summary>
    public void Write(Utf8JsonWriter json, in RequestEventState s)
    {
        HttpContext context = s.Context;
        HttpRequest request = context.Request;
        bool end = s.Phase == RequestEventPhase.End;
        json.WriteStartObject();
        json.WriteString(Names.Event, end ? Names.EndValue : Names.StartValue);
        json.WriteString(Names.Id, context.TraceIdentifier);
        TimeSpan elapsed = end ? Stopwatch.GetElapsedTime(s.Started) : default;
        json.WriteString(Names.Timestamp, s.StartedUtc + elapsed); // one clock read per request: start + monotonic elapsed
        if (end)
        {
            json.WriteString(Names.Start, s.StartedUtc);
        }

        WriteKnown(json, Names.Method, request.Method);
        WriteKnown(json, Names.Scheme, request.Scheme);
        if (request.Headers.Host is { Count: > 0 } host)
        {
            json.WriteString(Names.Host, host[0]); // the Host header as sent (HostString would parse it again)
        }

        if (request.PathBase.HasValue)
        {
            json.WriteString(Names.PathBase, request.PathBase.Value);
        }

        json.WriteString(Names.Path, request.Path.HasValue ? request.Path.Value : "/");
        if (_includeQuery && request.QueryString.HasValue)
        {
            json.WriteString(Names.Query, request.QueryString.Value);
        }

        if (context.GetEndpoint() is { } endpoint && RouteOf(endpoint) is { } route)
        {
            json.WriteString(Names.Route, route);
        }

        WriteKnown(json, Names.Protocol, request.Protocol);
        if (end)
        {
            int status = s.Error is not null && !context.Response.HasStarted ? StatusCodes.Status500InternalServerError : context.Response.StatusCode;
            json.WriteNumber(Names.Status, status);
            WriteMilliseconds(json, Names.DurationMs, elapsed);
        }

        if (end && s.Counters is { } counters)
        {
            json.WriteNumber(Names.RequestBytes, counters.RequestBytes);
            json.WriteNumber(Names.ResponseBytes, counters.ResponseBytes);
        }
        else
        {
            if (request.ContentLength is long requestBytes)
            {
                json.WriteNumber(Names.RequestBytes, requestBytes);
            }

            if (end && context.Response.ContentLength is long responseBytes)
            {
                json.WriteNumber(Names.ResponseBytes, responseBytes);
            }
        }

        if (context.Connection.RemoteIpAddress is { } address)
        {
            Span<byte> ip = stackalloc byte[64];
            if (address.TryFormat(ip, out int written))
            {
                json.WriteString(Names.Client, ip[..written]);
            }
        }

        Microsoft.Extensions.Primitives.StringValues userAgent = request.Headers.UserAgent;
        if (userAgent.Count > 0)
        {
            json.WriteString(Names.UserAgent, userAgent.Count == 1 ? userAgent[0] : userAgent.ToString());
        }

        if (_headers.Length > 0)
        {
            WriteHeaders(json, request.Headers);
        }

        Activity? activity = Activity.Current;
        if (activity is not null && activity.IdFormat == ActivityIdFormat.W3C)
        {
            // The activity keeps its ids as hex strings: written as they are, never parsed.
            json.WriteString(Names.TraceId, activity.TraceId.ToHexString());
            json.WriteString(Names.SpanId, activity.SpanId.ToHexString());
        }

        if (_propagateTraceContext)
        {
            WriteTraceContext(json, s.Send ?? activity, request);
        }

        if (end)
        {
            if (s.Error is not null)
            {
                json.WriteString(Names.Error, s.Error.GetType().FullName);
            }

            if (context.RequestAborted.IsCancellationRequested)
            {
                json.WriteBoolean(Names.Aborted, true);
            }
        }

        _writeFields?.Invoke(json, context, s.Phase);
        json.WriteEndObject();
    }

    /// <summary>"traceparent" (and "tracestate"): the propagated span's context, or the request's own header when there is no activity.</summary>
    private static void WriteTraceContext(Utf8JsonWriter json, Activity? trace, HttpRequest request)
    {
        if (trace is not null && trace.IdFormat == ActivityIdFormat.W3C)
        {
            Span<byte> traceParent = stackalloc byte[KafkaTraceContext.TraceParentLength];
            KafkaTraceContext.WriteTraceParent(trace, traceParent);
            json.WriteString(Names.TraceParent, traceParent);
            if (trace.TraceStateString is { Length: > 0 } traceState)
            {
                json.WriteString(Names.TraceState, traceState);
            }
        }
        else if (KafkaTraceContext.IncomingTraceParent(request) is string incoming)
        {
            json.WriteString(Names.TraceParent, incoming);
            if (request.Headers.TraceState is { Count: 1 } traceState && traceState[0] is { Length: > 0 } state)
            {
                json.WriteString(Names.TraceState, state);
            }
        }
    }

    /// <summary>The common methods, schemes and protocols are written pre-encoded (no escaping scan); others as they are.</summary>
    private static void WriteKnown(Utf8JsonWriter json, JsonEncodedText name, string value)
    {
        JsonEncodedText? known = value switch
        {
            "GET" => Names.Get,
            "POST" => Names.Post,
            "PUT" => Names.Put,
            "DELETE" => Names.Delete,
            "http" => Names.Http,
            "https" => Names.Https,
            "HTTP/1.1" => Names.Http11,
            "HTTP/2" => Names.Http2,
            "HTTP/3" => Names.Http3,
            _ => null,
        };
        if (known is { } encoded)
        {
            json.WriteString(name, encoded);
        }
        else
        {
            json.WriteString(name, value);
        }
    }

    /// <summary>Milliseconds with microsecond precision ("12.345"), formatted from integers (a double's shortest round-trip formatting costs more).</summary>
    private static void WriteMilliseconds(Utf8JsonWriter json, JsonEncodedText name, TimeSpan elapsed)
    {
        long micros = Math.Max(0, elapsed.Ticks / TimeSpan.TicksPerMicrosecond);
        Span<byte> text = stackalloc byte[24];
        Utf8Formatter.TryFormat(micros / 1000, text, out int length);
        text[length++] = (byte)'.';
        Utf8Formatter.TryFormat(micros % 1000, text[length..], out int fraction, new StandardFormat('D', 3));
        json.WritePropertyName(name);
        json.WriteRawValue(text[..(length + fraction)], skipInputValidation: true);
    }

    /// <summary>The endpoint's route pattern, JSON-encoded once per endpoint; null when it has none.</summary>
    private static JsonEncodedText? RouteOf(Endpoint endpoint) =>
        s_routes.GetValue(endpoint, static e => new EncodedRoute(e is RouteEndpoint { RoutePattern.RawText: { } raw } ? JsonEncodedText.Encode(raw) : null)).Route;

    private void WriteHeaders(Utf8JsonWriter json, IHeaderDictionary headers)
    {
        bool opened = false;
        foreach (HeaderField field in _headers)
        {
            if (!headers.TryGetValue(field.Name, out Microsoft.Extensions.Primitives.StringValues value) || value.Count == 0)
            {
                continue;
            }

            if (!opened)
            {
                json.WriteStartObject(Names.Headers);
                opened = true;
            }

            if (field.Redacted)
            {
                json.WriteString(field.Json, "***");
            }
            else if (value.Count == 1)
            {
                json.WriteString(field.Json, value[0]);
            }
            else
            {
                json.WriteStartArray(field.Json);
                foreach (string? item in value)
                {
                    json.WriteStringValue(item);
                }

                json.WriteEndArray();
            }
        }

        if (opened)
        {
            json.WriteEndObject();
        }
    }

    private sealed record HeaderField(string Name, JsonEncodedText Json, bool Redacted);

    private sealed record EncodedRoute(JsonEncodedText? Route);

    /// <summary>Pre-encoded property names and fixed values.</summary>
    private static class Names
    {
        public static readonly JsonEncodedText Event = JsonEncodedText.Encode("event");
        public static readonly JsonEncodedText StartValue = JsonEncodedText.Encode("request.start");
        public static readonly JsonEncodedText EndValue = JsonEncodedText.Encode("request.end");
        public static readonly JsonEncodedText Id = JsonEncodedText.Encode("id");
        public static readonly JsonEncodedText Timestamp = JsonEncodedText.Encode("ts");
        public static readonly JsonEncodedText Start = JsonEncodedText.Encode("start");
        public static readonly JsonEncodedText Method = JsonEncodedText.Encode("method");
        public static readonly JsonEncodedText Scheme = JsonEncodedText.Encode("scheme");
        public static readonly JsonEncodedText Host = JsonEncodedText.Encode("host");
        public static readonly JsonEncodedText PathBase = JsonEncodedText.Encode("path_base");
        public static readonly JsonEncodedText Path = JsonEncodedText.Encode("path");
        public static readonly JsonEncodedText Query = JsonEncodedText.Encode("query");
        public static readonly JsonEncodedText Route = JsonEncodedText.Encode("route");
        public static readonly JsonEncodedText Protocol = JsonEncodedText.Encode("protocol");
        public static readonly JsonEncodedText Status = JsonEncodedText.Encode("status");
        public static readonly JsonEncodedText DurationMs = JsonEncodedText.Encode("duration_ms");
        public static readonly JsonEncodedText RequestBytes = JsonEncodedText.Encode("request_bytes");
        public static readonly JsonEncodedText ResponseBytes = JsonEncodedText.Encode("response_bytes");
        public static readonly JsonEncodedText Client = JsonEncodedText.Encode("client");
        public static readonly JsonEncodedText UserAgent = JsonEncodedText.Encode("user_agent");
        public static readonly JsonEncodedText Headers = JsonEncodedText.Encode("headers");
        public static readonly JsonEncodedText TraceId = JsonEncodedText.Encode("trace_id");
        public static readonly JsonEncodedText SpanId = JsonEncodedText.Encode("span_id");
        public static readonly JsonEncodedText Error = JsonEncodedText.Encode("error");
        public static readonly JsonEncodedText Aborted = JsonEncodedText.Encode("aborted");
        public static readonly JsonEncodedText TraceParent = JsonEncodedText.Encode("traceparent");
        public static readonly JsonEncodedText TraceState = JsonEncodedText.Encode("tracestate");
        public static readonly JsonEncodedText Get = JsonEncodedText.Encode("GET");
        public static readonly JsonEncodedText Post = JsonEncodedText.Encode("POST");
        public static readonly JsonEncodedText Put = JsonEncodedText.Encode("PUT");
        public static readonly JsonEncodedText Delete = JsonEncodedText.Encode("DELETE");
        public static readonly JsonEncodedText Http = JsonEncodedText.Encode("http");
        public static readonly JsonEncodedText Https = JsonEncodedText.Encode("https");
        public static readonly JsonEncodedText Http11 = JsonEncodedText.Encode("HTTP/1.1");
        public static readonly JsonEncodedText Http2 = JsonEncodedText.Encode("HTTP/2");
        public static readonly JsonEncodedText Http3 = JsonEncodedText.Encode("HTTP/3");
    }
}

using System.Diagnostics;
using System.Text.Json;
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

    private readonly bool _includeQuery;
    private readonly HeaderField[] _headers;
    private readonly Action<Utf8JsonWriter, HttpContext, RequestEventPhase>? _writeFields;

    public RequestEventWriter(KafkaRequestEventOptions options)
    {
        _includeQuery = options.IncludeQuery;
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

        json.WriteString(Names.Method, request.Method);
        json.WriteString(Names.Scheme, request.Scheme);
        if (request.Host.HasValue)
        {
            json.WriteString(Names.Host, request.Host.Value);
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

        if (context.GetEndpoint() is RouteEndpoint { RoutePattern.RawText: { } route })
        {
            json.WriteString(Names.Route, route);
        }

        json.WriteString(Names.Protocol, request.Protocol);
        if (end)
        {
            int status = s.Error is not null && !context.Response.HasStarted ? StatusCodes.Status500InternalServerError : context.Response.StatusCode;
            json.WriteNumber(Names.Status, status);
            json.WriteNumber(Names.DurationMs, elapsed.TotalMilliseconds);
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

        if (Activity.Current is { } activity && activity.TraceId != default)
        {
            Span<byte> id = stackalloc byte[16];
            Span<byte> hex = stackalloc byte[32];
            activity.TraceId.CopyTo(id);
            Convert.TryToHexStringLower(id, hex, out _);
            json.WriteString(Names.TraceId, hex);
            activity.SpanId.CopyTo(id[..8]);
            Convert.TryToHexStringLower(id[..8], hex, out _);
            json.WriteString(Names.SpanId, hex[..16]);
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
    }
}

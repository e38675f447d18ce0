using System.Buffers;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text.Json;
using KafkaFast.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace KafkaFast.AspNetCore.RequestEvents;

/// <summary>
/// The event's JSON (its schema is the table in docs/ASPNETCORE.md, "Request events"): written with a
/// <see cref="JsonMemberWriter"/> straight into the producer's buffer, names pre-encoded, nothing allocated.
/// Credential headers are written as "***".
/// </summary>
internal sealed class RequestEventWriter
{
    /// <summary>Headers whose values are never written, even when listed in IncludeHeaders.</summary>
    internal static readonly string[] CredentialHeaders = ["Authorization", "Proxy-Authorization", "Cookie", "Set-Cookie", "X-Api-Key", "Api-Key", "X-Auth-Token"];

    /// <summary>The produce call's writer: static, so no delegate is allocated per event.</summary>
    internal static readonly Action<IBufferWriter<byte>, RequestEventState> WriteState = static (buffer, state) => state.Writer.Write(buffer, in state);

    /// <summary>What the fixed part of an event takes at most: names, numbers, times, ids, the client address (bytes).</summary>
    private const int FixedBytes = 640;

    /// <summary>Room kept for the WriteFields hook's members (more is taken if they need it, at the cost of a second copy).</summary>
    private const int HookBytes = 256;

    /// <summary>The route of each endpoint, encoded once (endpoints live as long as the application's routes).</summary>
    private static readonly ConditionalWeakTable<Endpoint, EncodedRoute> s_routes = new();

    /// <summary>The WriteFields hook writes its members into this (per thread), then they are appended.</summary>
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_hookBuffer;

    [ThreadStatic]
    private static Utf8JsonWriter? t_hookJson;

    private readonly bool _includeQuery;
    private readonly bool _propagateTraceContext;
    private readonly HeaderField[] _headers;
    private readonly Action<Utf8JsonWriter, HttpContext, RequestEventPhase>? _writeFields;
    private EncodedRoute? _lastRoute;

    public RequestEventWriter(KafkaRequestEventOptions options)
    {
        _includeQuery = options.IncludeQuery;
        _propagateTraceContext = options.PropagateTraceContext;
        _writeFields = options.WriteFields;
        _headers = options.IncludeHeaders.Distinct(StringComparer.OrdinalIgnoreCase)
            .Select(h => new HeaderField(h, JsonMemberWriter.EncodeName(h.ToLowerInvariant()), CredentialHeaders.Contains(h, StringComparer.OrdinalIgnoreCase)))
            .ToArray();
    }

    /// <summary>
    /// A size for the producer's reservation that the event fits in unless its strings need escaping (3 bytes per
    /// char covers any UTF-8); a larger event still works, at the cost of a second copy. The unused rest is given back.
    /// </summary>
    public int EstimateSize(in RequestEventState s)
    {
        HttpRequest request = s.Context.Request;
        int chars = s.Context.TraceIdentifier.Length + (request.Path.Value?.Length ?? 0) + (request.PathBase.Value?.Length ?? 0);
        if (request.Headers.Host is { Count: > 0 } host)
        {
            chars += host[0]?.Length ?? 0;
        }

        foreach (string? userAgent in request.Headers.UserAgent)
        {
            chars += (userAgent?.Length ?? 0) + 1;
        }

        if (_includeQuery)
        {
            chars += request.QueryString.Value?.Length ?? 0;
        }

        int size = FixedBytes + chars * 3;
        if (_headers.Length > 0)
        {
            size += 512;
        }

        return _writeFields is null ? size : size + HookBytes;
    }

    /// <summary>The event. Runs inside the producer's serialize-in-place call: no allocation.</summary>
    public void Write(IBufferWriter<byte> output, in RequestEventState s)
    {
        var json = new JsonMemberWriter(output, 512); // the producer reserved EstimateSize: all of it is handed out
        HttpContext context = s.Context;
        HttpRequest request = context.Request;
        bool end = s.Phase == RequestEventPhase.End;
        json.WriteRaw(end ? "{\"event\":\"request.end\""u8 : "{\"event\":\"request.start\""u8);
        json.WriteString(Names.Id, context.TraceIdentifier);
        // The end event's one clock read; the start time is the activity's (or the middleware's one read). Wall clock
        // both, as an activity's own duration is (a clock stepped back shows as 0 ms, never as a negative duration).
        DateTime now = end ? DateTime.UtcNow : s.StartedUtc;
        TimeSpan elapsed = now - s.StartedUtc;
        json.WriteDateTime(Names.Timestamp, now);
        if (end)
        {
            json.WriteDateTime(Names.Start, s.StartedUtc);
        }

        json.WriteString(Names.Method, request.Method);
        json.WriteString(Names.Scheme, request.Scheme);
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
            json.WriteRaw(Names.Route);
            json.WriteRaw(route);
        }

        json.WriteString(Names.Protocol, request.Protocol);
        if (end)
        {
            int status = s.Error is not null && !context.Response.HasStarted ? StatusCodes.Status500InternalServerError : context.Response.StatusCode;
            json.WriteNumber(Names.Status, status);
            json.WriteMilliseconds(Names.DurationMs, elapsed);
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
                json.WritePlainUtf8(Names.Client, ip[..written]);
            }
        }

        Microsoft.Extensions.Primitives.StringValues userAgent = request.Headers.UserAgent;
        if (userAgent.Count > 0)
        {
            json.WriteString(Names.UserAgent, userAgent.Count == 1 ? userAgent[0] : userAgent.ToString());
        }

        if (_headers.Length > 0)
        {
            WriteHeaders(ref json, request.Headers);
        }

        Activity? activity = s.Activity;
        if (activity is not null && activity.IdFormat == ActivityIdFormat.W3C)
        {
            // The activity keeps its ids as hex strings: written as they are, never parsed.
            json.WriteString(Names.TraceId, activity.TraceId.ToHexString());
            json.WriteString(Names.SpanId, activity.SpanId.ToHexString());
        }

        if (_propagateTraceContext)
        {
            WriteTraceContext(ref json, s.Send ?? activity, request);
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

        if (_writeFields is { } writeFields)
        {
            WriteHookFields(ref json, writeFields, context, s.Phase);
        }

        json.WriteRaw("}"u8);
        json.Flush();
    }

    /// <summary>"traceparent" (and "tracestate"): the propagated span's context, or the request's own header when there is no activity.</summary>
    private static void WriteTraceContext(ref JsonMemberWriter json, Activity? trace, HttpRequest request)
    {
        if (trace is not null && trace.IdFormat == ActivityIdFormat.W3C)
        {
            Span<byte> traceParent = stackalloc byte[KafkaTraceContext.TraceParentLength];
            KafkaTraceContext.WriteTraceParent(trace, traceParent);
            json.WritePlainUtf8(Names.TraceParent, traceParent);
            if (trace.TraceStateString is { Length: > 0 } traceState)
            {
                json.WriteString(Names.TraceState, traceState);
            }
        }
        else if (KafkaTraceContext.IncomingTraceParent(request) is string incoming)
        {
            json.WriteString(Names.TraceParent, incoming); // the client's bytes: escaped if they need it
            if (request.Headers.TraceState is { Count: 1 } traceState && traceState[0] is { Length: > 0 } state)
            {
                json.WriteString(Names.TraceState, state);
            }
        }
    }

    /// <summary>
    /// The hook writes members with a Utf8JsonWriter of its own (per thread) inside an object of their own; the
    /// members are appended to the event. A hook that leaves something open, or writes something other than
    /// members, fails the event (dropped, reason "error").
    /// </summary>
    private static void WriteHookFields(ref JsonMemberWriter json, Action<Utf8JsonWriter, HttpContext, RequestEventPhase> writeFields, HttpContext context, RequestEventPhase phase)
    {
        ArrayBufferWriter<byte> buffer = t_hookBuffer ??= new ArrayBufferWriter<byte>(HookBytes);
        buffer.ResetWrittenCount();
        Utf8JsonWriter hook = t_hookJson ??= new Utf8JsonWriter(buffer);
        hook.Reset(buffer);
        hook.WriteStartObject();
        writeFields(hook, context, phase);
        if (hook.CurrentDepth != 1)
        {
            throw new InvalidOperationException("The WriteFields hook left an object or array open: it must write whole members (name and value).");
        }

        hook.WriteEndObject();
        hook.Flush();
        ReadOnlySpan<byte> members = buffer.WrittenSpan[1..^1]; // without the braces
        if (!members.IsEmpty)
        {
            json.WriteRaw(","u8);
            json.WriteRaw(members);
        }
    }

    /// <summary>
    /// The endpoint's route pattern, JSON-encoded once per endpoint; null when it has none. The last endpoint seen is
    /// kept in a field (one reference, written whole: a racing thread at worst looks the table up again; it keeps that
    /// one endpoint alive after a route change, until another is seen).
    /// </summary>
    private byte[]? RouteOf(Endpoint endpoint)
    {
        EncodedRoute? last = _lastRoute;
        if (last is null || !ReferenceEquals(last.Endpoint, endpoint))
        {
            last = s_routes.GetValue(endpoint, static e => new EncodedRoute(e, e is RouteEndpoint { RoutePattern.RawText: { } raw } ? JsonMemberWriter.EncodeString(raw) : null));
            _lastRoute = last;
        }

        return last.Route;
    }

    private void WriteHeaders(ref JsonMemberWriter json, IHeaderDictionary headers)
    {
        bool opened = false;
        foreach (HeaderField field in _headers)
        {
            if (!headers.TryGetValue(field.Name, out Microsoft.Extensions.Primitives.StringValues value) || value.Count == 0)
            {
                continue;
            }

            if (opened)
            {
                json.WriteRaw(field.Json);
            }
            else
            {
                json.WriteRaw(Names.Headers);
                json.WriteRaw(field.Json.AsSpan(1)); // the object's first member: without the separator
                opened = true;
            }

            if (field.Redacted)
            {
                json.WriteRaw("\"***\""u8);
            }
            else if (value.Count == 1)
            {
                json.WriteStringValue(value[0]);
            }
            else
            {
                json.WriteRaw("["u8);
                for (int i = 0; i < value.Count; i++)
                {
                    if (i > 0)
                    {
                        json.WriteRaw(","u8);
                    }

                    json.WriteStringValue(value[i]);
                }

                json.WriteRaw("]"u8);
            }
        }

        if (opened)
        {
            json.WriteRaw("}"u8);
        }
    }

    private sealed record HeaderField(string Name, byte[] Json, bool Redacted);

    /// <summary>An endpoint's encoded route (the table holds its key weakly even though the value refers to it).</summary>
    private sealed record EncodedRoute(Endpoint Endpoint, byte[]? Route);

    /// <summary>Member names with their separator, pre-encoded.</summary>
    private static class Names
    {
        public static ReadOnlySpan<byte> Id => ",\"id\":"u8;
        public static ReadOnlySpan<byte> Timestamp => ",\"ts\":"u8;
        public static ReadOnlySpan<byte> Start => ",\"start\":"u8;
        public static ReadOnlySpan<byte> Method => ",\"method\":"u8;
        public static ReadOnlySpan<byte> Scheme => ",\"scheme\":"u8;
        public static ReadOnlySpan<byte> Host => ",\"host\":"u8;
        public static ReadOnlySpan<byte> PathBase => ",\"path_base\":"u8;
        public static ReadOnlySpan<byte> Path => ",\"path\":"u8;
        public static ReadOnlySpan<byte> Query => ",\"query\":"u8;
        public static ReadOnlySpan<byte> Route => ",\"route\":"u8;
        public static ReadOnlySpan<byte> Protocol => ",\"protocol\":"u8;
        public static ReadOnlySpan<byte> Status => ",\"status\":"u8;
        public static ReadOnlySpan<byte> DurationMs => ",\"duration_ms\":"u8;
        public static ReadOnlySpan<byte> RequestBytes => ",\"request_bytes\":"u8;
        public static ReadOnlySpan<byte> ResponseBytes => ",\"response_bytes\":"u8;
        public static ReadOnlySpan<byte> Client => ",\"client\":"u8;
        public static ReadOnlySpan<byte> UserAgent => ",\"user_agent\":"u8;
        public static ReadOnlySpan<byte> Headers => ",\"headers\":{"u8;
        public static ReadOnlySpan<byte> TraceId => ",\"trace_id\":"u8;
        public static ReadOnlySpan<byte> SpanId => ",\"span_id\":"u8;
        public static ReadOnlySpan<byte> Error => ",\"error\":"u8;
        public static ReadOnlySpan<byte> Aborted => ",\"aborted\":"u8;
        public static ReadOnlySpan<byte> TraceParent => ",\"traceparent\":"u8;
        public static ReadOnlySpan<byte> TraceState => ",\"tracestate\":"u8;
    }
}

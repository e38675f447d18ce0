using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using KafkaFast.AspNetCore.Diagnostics;
using KafkaFast.AspNetCore.Hosting;
using KafkaFast.Producer;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace KafkaFast.AspNetCore.RequestEvents;

/// <summary>
/// Writes one JSON event per recorded request (at start, at end, or both) straight into the producer's buffer with
/// <see cref="Utf8JsonWriter"/>. Never blocks and never fails the request: a refused or failed event is counted as
/// dropped, by reason (kafkafast.request_events.dropped), and logged at most every 10 s per reason.
/// </summary>
/// <remarks>
/// Zero-copy and allocation-free on the producer path: the event state is a struct, the writer delegate is static,
/// keys are encoded on the stack. When a trace context is propagated the event is serialized into a per-thread
/// buffer first and copied once, because the core's serialize-in-place calls take no headers.
/// </remarks>
internal sealed class KafkaRequestEventsMiddleware
{
    internal const int MaxDynamicTopics = 64;

    private static readonly TimeSpan s_dropLogInterval = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan s_topicRetry = TimeSpan.FromSeconds(30);
    private static readonly string[] s_credentialHeaders = ["Authorization", "Proxy-Authorization", "Cookie", "Set-Cookie", "X-Api-Key", "Api-Key", "X-Auth-Token"];
    private static readonly Action<Utf8JsonWriter, EventState> s_writeEvent = static (json, state) => state.Owner.WriteEvent(json, in state);

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    [ThreadStatic]
    private static Utf8JsonWriter? t_json;

    [ThreadStatic]
    private static byte[]? t_traceParent;

    [ThreadStatic]
    private static KafkaHeader[]? t_headers;

    /// <summary>Events written by this thread (a per-thread count: no shared cache line on the request path).</summary>
    [ThreadStatic]
    private static long t_eventCount;

    private readonly RequestDelegate _next;
    private readonly KafkaRequestEventOptions _options;
    private readonly KafkaProducer _producer;
    private readonly ProducerMonitor _monitor;
    private readonly KafkaTopic _topic;
    private readonly KafkaFastMetrics _metrics;
    private readonly ILogger _logger;
    private readonly bool _onStart;
    private readonly bool _onEnd;
    private readonly bool _sampleAll;
    private readonly bool _sampleNone;
    private readonly ulong _sampleBound;
    private readonly PathString[] _excluded;
    private readonly HeaderField[] _headers;
    private readonly DropCounter[] _drops;
    private readonly ConcurrentDictionary<string, KafkaTopic> _dynamicTopics = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _resolving = new(StringComparer.Ordinal);

    public KafkaRequestEventsMiddleware(RequestDelegate next, KafkaRequestEventOptions options, KafkaProducerRegistry registry, KafkaFastMetrics metrics, ILoggerFactory loggerFactory)
    {
        _next = next;
        _options = options;
        _metrics = metrics;
        _logger = loggerFactory.CreateLogger("KafkaFast.RequestEvents");
        KafkaProducerRegistry.ProducerEntry entry = registry.GetEntry(options.ProducerName);
        _producer = entry.Producer;
        _monitor = entry.Monitor;
        _topic = _producer.GetTopic(options.Topic); // blocking metadata fetch, at pipeline build (start-up)
        _onStart = (options.Phases & RequestEventPhases.Start) != 0;
        _onEnd = (options.Phases & RequestEventPhases.End) != 0;
        _sampleAll = options.SamplingRatio >= 1;
        _sampleNone = options.SamplingRatio <= 0;
        _sampleBound = _sampleAll ? ulong.MaxValue : (ulong)(options.SamplingRatio * ulong.MaxValue);
        _excluded = options.ExcludePaths.Select(p => new PathString(p.TrimEnd('/').Length == 0 ? "/" : p.TrimEnd('/'))).ToArray();
        _headers = options.IncludeHeaders.Distinct(StringComparer.OrdinalIgnoreCase)
            .Select(h => new HeaderField(h, JsonEncodedText.Encode(h.ToLowerInvariant()), s_credentialHeaders.Contains(h, StringComparer.OrdinalIgnoreCase)))
            .ToArray();
        _drops = Enum.GetValues<DropReason>().Select(r => new DropCounter(ReasonName(r))).ToArray();
        RequestEventsLog.Started(_logger, _topic.Name, options.ProducerName, options.ToString());
    }

    public Task Invoke(HttpContext context)
    {
        if (!ShouldRecord(context))
        {
            return _next(context);
        }

        long started = Stopwatch.GetTimestamp();
        DateTime startedUtc = DateTime.UtcNow;
        if (_onStart)
        {
            Task? waiting = Emit(context, RequestEventPhase.Start, started, startedUtc, null);
            if (waiting is not null)
            {
                return ContinueAfterStartWait(waiting, context, started, startedUtc);
            }
        }

        return _onEnd ? InvokeThenEmitEnd(context, started, startedUtc) : _next(context);
    }

    private BodyCounters? CountersFor(HttpContext context) => _options.CountBodyBytes ? new BodyCounters(context) : null;

    private async Task ContinueAfterStartWait(Task waiting, HttpContext context, long started, DateTime startedUtc)
    {
        await waiting.ConfigureAwait(false);
        await (_onEnd ? InvokeThenEmitEnd(context, started, startedUtc) : _next(context)).ConfigureAwait(false);
    }

    private async Task InvokeThenEmitEnd(HttpContext context, long started, DateTime startedUtc)
    {
        BodyCounters? counters = CountersFor(context);
        try
        {
            await _next(context).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            counters?.Restore();
            Task? failedWait = Emit(context, RequestEventPhase.End, started, startedUtc, ex, counters);
            if (failedWait is not null)
            {
                await failedWait.ConfigureAwait(false);
            }

            throw;
        }

        counters?.Restore();
        Task? wait = Emit(context, RequestEventPhase.End, started, startedUtc, null, counters);
        if (wait is not null)
        {
            await wait.ConfigureAwait(false);
        }
    }

    /// <summary>Filter, excluded paths, then sampling: decided once per request. Never throws.</summary>
    private bool ShouldRecord(HttpContext context)
    {
        if (_sampleNone)
        {
            return false;
        }

        PathString path = context.Request.Path;
        foreach (PathString excluded in _excluded)
        {
            if (path.StartsWithSegments(excluded, StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }
        }

        if (_options.Filter is { } filter)
        {
            try
            {
                if (!filter(context))
                {
                    return false;
                }
            }
            catch (Exception ex)
            {
                Drop(DropReason.Error, _topic.Name);
                RequestEventsLog.EventFailed(_logger, ex);
                return false;
            }
        }

        return _sampleAll || Sampled();
    }

    /// <summary>By trace id when there is one (every service at the same ratio keeps the same traces), else at random.</summary>
    private bool Sampled()
    {
        Activity? activity = Activity.Current;
        ulong value;
        if (activity is not null && activity.TraceId != default)
        {
            Span<byte> id = stackalloc byte[16];
            activity.TraceId.CopyTo(id);
            value = BinaryPrimitives.ReadUInt64BigEndian(id);
        }
        else
        {
            value = (ulong)Random.Shared.NextInt64() << 1;
        }

        return value < _sampleBound;
    }

    /// <summary>Writes one event. Returns null when done (written or dropped), or a task when waiting for budget space.</summary>
    private Task? Emit(HttpContext context, RequestEventPhase phase, long started, DateTime startedUtc, Exception? error, BodyCounters? counters = null)
    {
        KafkaTopic? topic = _topic;
        Activity? send = null;
        byte[]? rentedKey = null;
        try
        {
            topic = TopicFor(context);
            if (topic is null)
            {
                return null;
            }

            Span<byte> keyBuffer = stackalloc byte[256];
            ReadOnlySpan<byte> key = WriteKey(context, keyBuffer, ref rentedKey);
            var state = new EventState(this, context, phase, started, startedUtc, error, counters);

            ActivityContext trace = default;
            bool withHeaders = false;
            if (_options.PropagateTraceContext)
            {
                if (KafkaFastMetrics.ActivitySource.HasListeners())
                {
                    send = StartSendActivity(topic.Name);
                }

                trace = send?.Context ?? Activity.Current?.Context ?? default;
                withHeaders = trace.TraceId != default || TryIncomingTraceParent(context, out _);
            }

            long begin = Stopwatch.GetTimestamp();
            bool tracked = _options.DeliveryLatencySampleInterval > 0 && ++t_eventCount % _options.DeliveryLatencySampleInterval == 0;
            bool accepted;
            if (tracked)
            {
                accepted = ProduceTracked(topic, key, in state, withHeaders ? TraceHeaders(trace, context) : default);
            }
            else if (!withHeaders)
            {
                accepted = _producer.TryProduceJson(topic, key, state, s_writeEvent);
            }
            else
            {
                accepted = ProduceWithTraceHeaders(topic, key, in state, trace, context);
            }

            DropReason? refused = accepted ? null : _monitor.IsFatal ? DropReason.Fatal : DropReason.BudgetFull;
            if (_metrics.OperationDurationEnabled)
            {
                _metrics.RecordOperation(topic.Name, Stopwatch.GetElapsedTime(begin).TotalSeconds, refused is null ? null : ReasonName(refused.Value));
            }

            if (accepted)
            {
                if (_metrics.EventsProducedEnabled)
                {
                    _metrics.EventProduced(topic.Name, phase == RequestEventPhase.Start ? "start" : "end");
                }

                return null;
            }

            if (refused == DropReason.BudgetFull && _options.BudgetFullWait > TimeSpan.Zero)
            {
                return WaitForBudget(topic, key.ToArray(), in state, withHeaders ? TraceHeaders(trace, context) : default, context.RequestAborted);
            }

            send?.SetStatus(ActivityStatusCode.Error, ReasonName(refused!.Value));
            Drop(refused!.Value, topic.Name);
            return null;
        }
        catch (ObjectDisposedException)
        {
            Drop(DropReason.Closed, topic?.Name ?? _topic.Name);
            return null;
        }
        catch (ArgumentException ex) when (ex.Message.Contains("message.max.bytes", StringComparison.Ordinal))
        {
            Drop(DropReason.TooLarge, topic?.Name ?? _topic.Name);
            return null;
        }
        catch (Exception ex)
        {
            send?.SetStatus(ActivityStatusCode.Error, ex.GetType().Name);
            Drop(DropReason.Error, topic?.Name ?? _topic.Name);
            RequestEventsLog.EventFailed(_logger, ex);
            return null;
        }
        finally
        {
            send?.Dispose();
            if (rentedKey is not null)
            {
                ArrayPool<byte>.Shared.Return(rentedKey);
            }
        }
    }

    /// <summary>A "send {topic}" producer span, child of the request's; the request's activity stays current (the event describes the request).</summary>
    private Activity? StartSendActivity(string topic)
    {
        Activity? request = Activity.Current;
        Activity? activity = KafkaFastMetrics.ActivitySource.StartActivity(ActivityKind.Producer, request?.Context ?? default, name: SendName(topic));
        Activity.Current = request;
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(KafkaFastMetrics.SystemTag, "kafka");
            activity.SetTag(KafkaFastMetrics.OperationNameTag, "send");
            activity.SetTag(KafkaFastMetrics.OperationTypeTag, "send");
            activity.SetTag(KafkaFastMetrics.DestinationTag, topic);
        }

        return activity;
    }

    private string SendName(string topic) => ReferenceEquals(topic, _topic.Name) ? _sendName ??= "send " + topic : "send " + topic;

    private string? _sendName;

    /// <summary>Serializes straight into the producer's buffer, with the trace headers.</summary>
    private bool ProduceWithTraceHeaders(KafkaTopic topic, ReadOnlySpan<byte> key, in EventState state, ActivityContext trace, HttpContext context) =>
        _producer.TryProduceJson(topic, key, state, s_writeEvent, headers: TraceHeaders(trace, context));

    /// <summary>Every Nth event: an awaited produce, timed to the broker's acknowledgement.</summary>
    private bool ProduceTracked(KafkaTopic topic, ReadOnlySpan<byte> key, in EventState state, ReadOnlySpan<KafkaHeader> headers)
    {
        // Copies: under OverflowPolicy.Wait the produce may keep the message while it waits for space.
        ArrayBufferWriter<byte> buffer = SerializeToThreadBuffer(in state);
        var message = new ProducerMessage(key.ToArray(), buffer.WrittenSpan.ToArray()) { Headers = CopyValues(headers.ToArray()) };
        long begin = Stopwatch.GetTimestamp();
        Task<DeliveryResult> delivery;
        try
        {
            delivery = _producer.ProduceAsync(topic, message).AsTask();
        }
        catch (ProduceException)
        {
            return false;
        }

        if (delivery.IsFaulted && delivery.Exception.InnerException is ProduceException { Code: KafkaErrorCode.QueueFull or KafkaErrorCode.Fatal })
        {
            return false; // refused at the call (budget full or fatal): nothing was accepted
        }

        _ = ObserveDelivery(delivery, topic.Name, begin);
        return true;
    }

    private async Task ObserveDelivery(Task<DeliveryResult> delivery, string topic, long begin)
    {
        string? errorType = null;
        try
        {
            await delivery.ConfigureAwait(false);
        }
        catch (ProduceException ex) when (ex.Code is KafkaErrorCode.QueueFull or KafkaErrorCode.Fatal && ex.Status == PersistenceStatus.NotPersisted && ex.Partition < 0)
        {
            // Refused after waiting for space (OverflowPolicy.Wait): never accepted, so a drop, not a delivery.
            Drop(ex.Code == KafkaErrorCode.Fatal ? DropReason.Fatal : DropReason.BudgetFull, topic);
            return;
        }
        catch (ProduceException ex)
        {
            errorType = ex.Code.ToString();
        }

        if (_metrics.DeliveryDurationEnabled)
        {
            _metrics.RecordDelivery(topic, Stopwatch.GetElapsedTime(begin).TotalSeconds, errorType);
        }
    }

    /// <summary>The budget is full and a wait is configured: copy the event and wait (asynchronously) for space.</summary>
    private Task WaitForBudget(KafkaTopic topic, byte[] key, in EventState state, ReadOnlySpan<KafkaHeader> headers, CancellationToken aborted)
    {
        KafkaHeader[] headerCopies = headers.ToArray(); // before serializing: the trace header buffer is per thread too
        ArrayBufferWriter<byte> buffer = SerializeToThreadBuffer(in state);
        var message = new ProducerMessage(key, buffer.WrittenSpan.ToArray()) { Headers = CopyValues(headerCopies) };
        return WaitCore(topic, message, state.Phase == RequestEventPhase.Start ? "start" : "end", aborted);
    }

    private static KafkaHeader[] CopyValues(KafkaHeader[] headers)
    {
        for (int i = 0; i < headers.Length; i++)
        {
            headers[i] = headers[i] with { Value = headers[i].Value.ToArray() };
        }

        return headers;
    }

    private async Task WaitCore(KafkaTopic topic, ProducerMessage message, string phase, CancellationToken aborted)
    {
        bool accepted;
        try
        {
            accepted = await _producer.EnqueueAsync(topic, message, _options.BudgetFullWait, aborted).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            accepted = false;
        }
        catch (ObjectDisposedException)
        {
            Drop(DropReason.Closed, topic.Name);
            return;
        }

        if (!accepted)
        {
            Drop(_monitor.IsFatal ? DropReason.Fatal : DropReason.BudgetFull, topic.Name);
        }
        else if (_metrics.EventsProducedEnabled)
        {
            _metrics.EventProduced(topic.Name, phase);
        }
    }

    private ArrayBufferWriter<byte> SerializeToThreadBuffer(in EventState state)
    {
        ArrayBufferWriter<byte> buffer = t_buffer ??= new ArrayBufferWriter<byte>(4096);
        buffer.ResetWrittenCount();
        Utf8JsonWriter json = t_json ??= new Utf8JsonWriter(buffer);
        json.Reset(buffer);
        WriteEvent(json, in state);
        json.Flush();
        return buffer;
    }

    /// <summary>traceparent from the trace context, or forwarded from the request when there is no activity; no allocation.</summary>
    private static ReadOnlySpan<KafkaHeader> TraceHeaders(ActivityContext trace, HttpContext context)
    {
        byte[] traceParent = t_traceParent ??= new byte[KafkaTraceContext.TraceParentLength];
        KafkaHeader[] headers = t_headers ??= new KafkaHeader[1];
        if (trace.TraceId != default)
        {
            KafkaTraceContext.WriteTraceParent(trace, traceParent);
        }
        else if (!TryIncomingTraceParent(context, out string? incoming) || Encoding.ASCII.GetBytes(incoming, traceParent) != KafkaTraceContext.TraceParentLength)
        {
            return [];
        }

        headers[0] = new KafkaHeader(KafkaTraceContext.TraceParentHeader, traceParent);
        string? traceState = trace.TraceState ?? (trace.TraceId == default ? context.Request.Headers.TraceState.ToString() : null);
        if (string.IsNullOrEmpty(traceState))
        {
            return headers;
        }

        // tracestate is rare; its header value is copied per call.
        return new[] { headers[0], new KafkaHeader(KafkaTraceContext.TraceStateHeader, Encoding.UTF8.GetBytes(traceState)) };
    }

    private static bool TryIncomingTraceParent(HttpContext context, out string? value)
    {
        Microsoft.Extensions.Primitives.StringValues header = context.Request.Headers.TraceParent;
        value = header.Count == 1 ? header[0] : null;
        return value is { Length: KafkaTraceContext.TraceParentLength };
    }

    private KafkaTopic? TopicFor(HttpContext context)
    {
        if (_options.TopicSelector is not { } selector)
        {
            return _topic;
        }

        string? name = selector(context);
        if (name is null || name == _topic.Name)
        {
            return _topic;
        }

        if (_dynamicTopics.TryGetValue(name, out KafkaTopic? topic))
        {
            return topic;
        }

        StartResolving(name);
        Drop(DropReason.TopicUnavailable, name);
        return null;
    }

    private void StartResolving(string name)
    {
        long now = Environment.TickCount64;
        if (_resolving.TryGetValue(name, out long failedAt))
        {
            if (failedAt == 0 || now - failedAt < (long)s_topicRetry.TotalMilliseconds || !_resolving.TryUpdate(name, 0, failedAt))
            {
                return; // resolving now, or failed recently
            }
        }
        else
        {
            if (_resolving.Count + _dynamicTopics.Count >= MaxDynamicTopics)
            {
                RequestEventsLog.TooManyTopics(_logger, MaxDynamicTopics);
                return;
            }

            if (!_resolving.TryAdd(name, 0))
            {
                return;
            }
        }

        ThreadPool.UnsafeQueueUserWorkItem(static s =>
        {
            (KafkaRequestEventsMiddleware self, string topicName) = s;
            try
            {
                KafkaTopic resolved = self._producer.GetTopic(topicName);
                self._dynamicTopics[topicName] = resolved;
                self._resolving.TryRemove(topicName, out _);
                RequestEventsLog.TopicResolved(self._logger, topicName);
            }
            catch (Exception ex)
            {
                self._resolving[topicName] = Math.Max(1, Environment.TickCount64);
                RequestEventsLog.TopicResolveFailed(self._logger, ex, topicName);
            }
        }, (this, name), preferLocal: false);
    }

    private ReadOnlySpan<byte> WriteKey(HttpContext context, Span<byte> buffer, ref byte[]? rented)
    {
        string? text;
        if (_options.KeySelector is { } selector)
        {
            text = selector(context);
        }
        else
        {
            switch (_options.Key)
            {
                case RequestEventKey.ClientAddress:
                    return context.Connection.RemoteIpAddress is { } address && address.TryFormat(buffer, out int written) ? buffer[..written] : default;
                case RequestEventKey.TraceId:
                    if (Activity.Current is { } activity && activity.TraceId != default)
                    {
                        Span<byte> id = stackalloc byte[16];
                        activity.TraceId.CopyTo(id);
                        Convert.TryToHexStringLower(id, buffer, out int hex);
                        return buffer[..hex];
                    }

                    return default;
                case RequestEventKey.User:
                    text = context.User.Identity?.Name;
                    break;
                default:
                    return default;
            }
        }

        if (string.IsNullOrEmpty(text))
        {
            return default;
        }

        int max = Encoding.UTF8.GetMaxByteCount(text.Length);
        if (max > buffer.Length && Encoding.UTF8.GetByteCount(text) > buffer.Length)
        {
            rented = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetByteCount(text));
            buffer = rented;
        }

        return buffer[..Encoding.UTF8.GetBytes(text, buffer)];
    }

    private void Drop(DropReason reason, string topic)
    {
        _metrics.EventDropped(topic, ReasonName(reason));
        DropCounter counter = _drops[(int)reason];
        Interlocked.Increment(ref counter.SinceLog);
        long now = Stopwatch.GetTimestamp();
        long last = Volatile.Read(ref counter.LoggedAt);
        if ((last == 0 || Stopwatch.GetElapsedTime(last, now) >= s_dropLogInterval) && Interlocked.CompareExchange(ref counter.LoggedAt, now, last) == last)
        {
            long count = Interlocked.Exchange(ref counter.SinceLog, 0);
            RequestEventsLog.Dropped(_logger, count, counter.Name, last == 0 ? 0 : Stopwatch.GetElapsedTime(last, now).TotalSeconds, topic);
        }
    }

    private static string ReasonName(DropReason reason) => reason switch
    {
        DropReason.BudgetFull => "budget_full",
        DropReason.Closed => "closed",
        DropReason.Fatal => "fatal",
        DropReason.TooLarge => "too_large",
        DropReason.TopicUnavailable => "topic_unavailable",
        _ => "error",
    };

    /// <summary>The event's fields. Runs inside the producer's serialize-in-place call: no allocation.</summary>
    private void WriteEvent(Utf8JsonWriter json, in EventState s)
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
        if (_options.IncludeQuery && request.QueryString.HasValue)
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

        _options.WriteFields?.Invoke(json, context, s.Phase);
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

    /// <summary>What one event is written from (a struct: the produce call's state, no closure).</summary>
    private readonly struct EventState(KafkaRequestEventsMiddleware owner, HttpContext context, RequestEventPhase phase, long started, DateTime startedUtc, Exception? error, BodyCounters? counters)
    {
        public BodyCounters? Counters { get; } = counters;

        public KafkaRequestEventsMiddleware Owner { get; } = owner;

        public HttpContext Context { get; } = context;

        public RequestEventPhase Phase { get; } = phase;

        public long Started { get; } = started;

        public DateTime StartedUtc { get; } = startedUtc;

        public Exception? Error { get; } = error;
    }

    private sealed record HeaderField(string Name, JsonEncodedText Json, bool Redacted);

    private sealed class DropCounter(string name)
    {
        public readonly string Name = name;
        public long SinceLog;
        public long LoggedAt;
    }

    private enum DropReason
    {
        BudgetFull,
        Closed,
        Fatal,
        TooLarge,
        TopicUnavailable,
        Error,
    }

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

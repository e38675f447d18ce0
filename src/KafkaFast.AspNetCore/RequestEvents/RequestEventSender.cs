using System.Buffers;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using KafkaFast.AspNetCore.Diagnostics;
using KafkaFast.AspNetCore.Hosting;
using KafkaFast.Producer;
using Microsoft.AspNetCore.Http;

namespace KafkaFast.AspNetCore.RequestEvents;

/// <summary>
/// Hands one event to the producer: the trace context in its headers (and a "send {topic}" span when someone
/// listens), the serialize-in-place produce call, the send metrics, every Nth event timed to its acknowledgement,
/// and the wait for budget space when one is configured. Refusals become drops (by reason); exceptions propagate to
/// the middleware, which counts them.
/// </summary>
internal sealed class RequestEventSender
{
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

    private readonly KafkaProducer _producer;
    private readonly ProducerMonitor _monitor;
    private readonly KafkaFastMetrics _metrics;
    private readonly RequestEventDrops _drops;
    private readonly bool _propagateTraceContext;
    private readonly int _deliverySampleInterval;
    private readonly TimeSpan _budgetFullWait;
    private readonly string _mainTopic;
    private string? _sendName;

    public RequestEventSender(KafkaRequestEventOptions options, KafkaProducer producer, ProducerMonitor monitor, KafkaFastMetrics metrics, RequestEventDrops drops)
    {
        _producer = producer;
        _monitor = monitor;
        _metrics = metrics;
        _drops = drops;
        _propagateTraceContext = options.PropagateTraceContext;
        _deliverySampleInterval = options.DeliveryLatencySampleInterval;
        _budgetFullWait = options.BudgetFullWait;
        _mainTopic = options.Topic;
    }

    /// <summary>Writes one event. Returns null when done (written or dropped), or a task when waiting for budget space.</summary>
    public Task? Send(KafkaTopic topic, ReadOnlySpan<byte> key, in RequestEventState state)
    {
        Activity? send = null;
        try
        {
            HttpContext context = state.Context;
            ActivityContext trace = default;
            bool withHeaders = false;
            if (_propagateTraceContext)
            {
                if (KafkaFastMetrics.ActivitySource.HasListeners())
                {
                    send = StartSendActivity(topic.Name);
                }

                trace = send?.Context ?? Activity.Current?.Context ?? default;
                withHeaders = trace.TraceId != default || TryIncomingTraceParent(context, out _);
            }

            long begin = Stopwatch.GetTimestamp();
            bool tracked = _deliverySampleInterval > 0 && ++t_eventCount % _deliverySampleInterval == 0;
            bool accepted;
            if (tracked)
            {
                accepted = ProduceTracked(topic, key, in state, withHeaders ? TraceHeaders(trace, context) : default);
            }
            else if (!withHeaders)
            {
                accepted = _producer.TryProduceJson(topic, key, state, RequestEventWriter.WriteState);
            }
            else
            {
                accepted = _producer.TryProduceJson(topic, key, state, RequestEventWriter.WriteState, headers: TraceHeaders(trace, context));
            }

            DropReason? refused = accepted ? null : _monitor.IsFatal ? DropReason.Fatal : DropReason.BudgetFull;
            if (_metrics.OperationDurationEnabled)
            {
                _metrics.RecordOperation(topic.Name, Stopwatch.GetElapsedTime(begin).TotalSeconds, refused is null ? null : RequestEventDrops.NameOf(refused.Value));
            }

            if (accepted)
            {
                if (_metrics.EventsProducedEnabled)
                {
                    _metrics.EventProduced(topic.Name, state.PhaseName);
                }

                return null;
            }

            if (refused == DropReason.BudgetFull && _budgetFullWait > TimeSpan.Zero)
            {
                return WaitForBudget(topic, key.ToArray(), in state, withHeaders ? TraceHeaders(trace, context) : default, context.RequestAborted);
            }

            send?.SetStatus(ActivityStatusCode.Error, RequestEventDrops.NameOf(refused!.Value));
            _drops.Drop(refused!.Value, topic.Name);
            return null;
        }
        catch (Exception ex)
        {
            send?.SetStatus(ActivityStatusCode.Error, ex.GetType().Name);
            throw;
        }
        finally
        {
            send?.Dispose();
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

    private string SendName(string topic) => topic == _mainTopic ? _sendName ??= "send " + topic : "send " + topic;

    /// <summary>Every Nth event: an awaited produce, timed to the broker's acknowledgement.</summary>
    private bool ProduceTracked(KafkaTopic topic, ReadOnlySpan<byte> key, in RequestEventState state, ReadOnlySpan<KafkaHeader> headers)
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
            _drops.Drop(ex.Code == KafkaErrorCode.Fatal ? DropReason.Fatal : DropReason.BudgetFull, topic);
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
    private Task WaitForBudget(KafkaTopic topic, byte[] key, in RequestEventState state, ReadOnlySpan<KafkaHeader> headers, CancellationToken aborted)
    {
        KafkaHeader[] headerCopies = headers.ToArray(); // before serializing: the trace header buffer is per thread too
        ArrayBufferWriter<byte> buffer = SerializeToThreadBuffer(in state);
        var message = new ProducerMessage(key, buffer.WrittenSpan.ToArray()) { Headers = CopyValues(headerCopies) };
        return WaitCore(topic, message, state.PhaseName, aborted);
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
            accepted = await _producer.EnqueueAsync(topic, message, _budgetFullWait, aborted).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            accepted = false;
        }
        catch (ObjectDisposedException)
        {
            _drops.Drop(DropReason.Closed, topic.Name);
            return;
        }

        if (!accepted)
        {
            _drops.Drop(_monitor.IsFatal ? DropReason.Fatal : DropReason.BudgetFull, topic.Name);
        }
        else if (_metrics.EventsProducedEnabled)
        {
            _metrics.EventProduced(topic.Name, phase);
        }
    }

    private static ArrayBufferWriter<byte> SerializeToThreadBuffer(in RequestEventState state)
    {
        ArrayBufferWriter<byte> buffer = t_buffer ??= new ArrayBufferWriter<byte>(4096);
        buffer.ResetWrittenCount();
        Utf8JsonWriter json = t_json ??= new Utf8JsonWriter(buffer);
        json.Reset(buffer);
        state.Writer.Write(json, in state);
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
}

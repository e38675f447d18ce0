using System.Buffers;
using System.Diagnostics;
using System.Text;
using KafkaFast.AspNetCore.Diagnostics;
using KafkaFast.AspNetCore.Hosting;
using KafkaFast.Producer;
using Microsoft.AspNetCore.Http;

namespace KafkaFast.AspNetCore.RequestEvents;

/// <summary>
/// Hands one event to the producer: a "send {topic}" span when someone listens, the serialize-in-place produce call
/// (with the trace context as Kafka headers only when asked: librdkafka takes such messages one per call), the count
/// of events produced (a striped counter, read when collected), the send duration of one event in 64 per thread, and
/// the wait for budget space when one is configured. Refusals become drops (by reason); exceptions propagate to the
/// middleware, which counts them.
/// </summary>
internal sealed class RequestEventSender
{
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    [ThreadStatic]
    private static byte[]? t_traceParent;

    [ThreadStatic]
    private static KafkaHeader[]? t_headers;

    /// <summary>Events sent by this thread: every <see cref="KafkaFastMetrics.OperationSampleInterval"/>th has its send timed.</summary>
    [ThreadStatic]
    private static uint t_sent;

    private readonly KafkaProducer _producer;
    private readonly ProducerMonitor _monitor;
    private readonly KafkaFastMetrics _metrics;
    private readonly RequestEventDrops _drops;
    private readonly bool _propagateTraceContext;
    private readonly bool _traceContextInHeaders;
    private readonly TimeSpan _budgetFullWait;
    private readonly string _mainTopic;
    private readonly StripedCounter? _producedStart;
    private readonly StripedCounter? _producedEnd;
    private string? _sendName;

    public RequestEventSender(KafkaRequestEventOptions options, KafkaProducer producer, ProducerMonitor monitor, KafkaFastMetrics metrics, RequestEventDrops drops)
    {
        _producer = producer;
        _monitor = monitor;
        _metrics = metrics;
        _drops = drops;
        _propagateTraceContext = options.PropagateTraceContext;
        _traceContextInHeaders = options.PropagateTraceContext && options.TraceContextInHeaders;
        _budgetFullWait = options.BudgetFullWait;
        _mainTopic = options.Topic;
        _producedStart = (options.Phases & RequestEventPhases.Start) != 0 ? metrics.ProducedCounter(_mainTopic, PhaseName(RequestEventPhase.Start)) : null;
        _producedEnd = (options.Phases & RequestEventPhases.End) != 0 ? metrics.ProducedCounter(_mainTopic, PhaseName(RequestEventPhase.End)) : null;
    }

    /// <summary>Writes one event. Returns null when done (written or dropped), or a task when waiting for budget space.</summary>
    public Task? Send(KafkaTopic topic, ReadOnlySpan<byte> key, RequestEventState state)
    {
        Activity? send = null;
        try
        {
            if (_propagateTraceContext && KafkaFastMetrics.ActivitySource.HasListeners())
            {
                send = StartSendActivity(topic.Name, state.Activity);
                state = state with { Send = send };
            }

            ReadOnlySpan<KafkaHeader> headers = _traceContextInHeaders ? TraceHeaders(send ?? state.Activity, state.Context.Request) : default;
            bool timed = _metrics.OperationDurationEnabled && (++t_sent & (KafkaFastMetrics.OperationSampleInterval - 1)) == 0;
            long begin = timed ? Stopwatch.GetTimestamp() : 0;
            // No key (none configured, or the selector found none) is a null key, not an empty one.
            int sizeHint = state.Writer.EstimateSize(in state);
            bool accepted = key.IsEmpty
                ? _producer.TryProduce(topic, state, RequestEventWriter.WriteState, headers, sizeHint: sizeHint)
                : _producer.TryProduce(topic, key, state, RequestEventWriter.WriteState, headers, sizeHint: sizeHint);
            DropReason? refused = accepted ? null : _monitor.IsFatal ? DropReason.Fatal : DropReason.BudgetFull;
            if (timed)
            {
                _metrics.RecordOperation(topic.Name, Stopwatch.GetElapsedTime(begin).TotalSeconds, refused is null ? null : RequestEventDrops.NameOf(refused.Value));
            }

            if (accepted)
            {
                CountProduced(topic.Name, state.Phase);
                return null;
            }

            if (refused == DropReason.BudgetFull && _budgetFullWait > TimeSpan.Zero)
            {
                return WaitForBudget(topic, key.ToArray(), in state, headers, state.Context.RequestAborted);
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

    private static string PhaseName(RequestEventPhase phase) => phase == RequestEventPhase.Start ? "start" : "end";

    private void CountProduced(string topic, RequestEventPhase phase)
    {
        StripedCounter? counter = ReferenceEquals(topic, _mainTopic) || topic == _mainTopic ? phase == RequestEventPhase.Start ? _producedStart : _producedEnd : null;
        (counter ?? _metrics.ProducedCounter(topic, PhaseName(phase))).Increment(); // another topic (TopicSelector): one dictionary lookup
    }

    /// <summary>A "send {topic}" producer span, child of the request's; the request's activity stays current (the event describes the request).</summary>
    private Activity? StartSendActivity(string topic, Activity? request)
    {
        Activity? current = Activity.Current;
        Activity? activity = KafkaFastMetrics.ActivitySource.StartActivity(ActivityKind.Producer, request?.Context ?? default, name: SendName(topic));
        Activity.Current = current;
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

    /// <summary>The budget is full and a wait is configured: copy the event and wait (asynchronously) for space.</summary>
    private Task WaitForBudget(KafkaTopic topic, byte[] key, in RequestEventState state, ReadOnlySpan<KafkaHeader> headers, CancellationToken aborted)
    {
        KafkaHeader[] headerCopies = headers.ToArray(); // before serializing: the trace header buffer is per thread too
        for (int i = 0; i < headerCopies.Length; i++)
        {
            headerCopies[i] = headerCopies[i] with { Value = headerCopies[i].Value.ToArray() };
        }

        ArrayBufferWriter<byte> buffer = t_buffer ??= new ArrayBufferWriter<byte>(4096);
        buffer.ResetWrittenCount();
        state.Writer.Write(buffer, in state);
        byte[] value = buffer.WrittenSpan.ToArray();
        var message = (key.Length == 0 ? new ProducerMessage(value) : new ProducerMessage(key, value)) with { Headers = headerCopies };
        return WaitCore(topic, message, state.Phase, aborted);
    }

    private async Task WaitCore(KafkaTopic topic, ProducerMessage message, RequestEventPhase phase, CancellationToken aborted)
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

        if (accepted)
        {
            CountProduced(topic.Name, phase);
        }
        else
        {
            _drops.Drop(_monitor.IsFatal ? DropReason.Fatal : DropReason.BudgetFull, topic.Name);
        }
    }

    /// <summary>traceparent (and tracestate) headers from the span, or forwarded from the request when there is no activity; no allocation without tracestate.</summary>
    private static ReadOnlySpan<KafkaHeader> TraceHeaders(Activity? trace, HttpRequest request)
    {
        byte[] traceParent = t_traceParent ??= new byte[KafkaTraceContext.TraceParentLength];
        KafkaHeader[] headers = t_headers ??= new KafkaHeader[1];
        string? traceState;
        if (trace is not null && trace.IdFormat == ActivityIdFormat.W3C)
        {
            KafkaTraceContext.WriteTraceParent(trace, traceParent);
            traceState = trace.TraceStateString;
        }
        else if (KafkaTraceContext.IncomingTraceParent(request) is string incoming)
        {
            Encoding.ASCII.GetBytes(incoming, traceParent);
            traceState = request.Headers.TraceState.Count == 1 ? request.Headers.TraceState[0] : null;
        }
        else
        {
            return default;
        }

        headers[0] = new KafkaHeader(KafkaTraceContext.TraceParentHeader, traceParent);
        if (string.IsNullOrEmpty(traceState))
        {
            return headers;
        }

        // tracestate is rare; its header value is copied per call.
        return new[] { headers[0], new KafkaHeader(KafkaTraceContext.TraceStateHeader, Encoding.UTF8.GetBytes(traceState)) };
    }
}

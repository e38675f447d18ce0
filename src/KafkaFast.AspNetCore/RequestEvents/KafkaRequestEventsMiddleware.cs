using System.Buffers;
using System.Diagnostics;
using KafkaFast.AspNetCore.Diagnostics;
using KafkaFast.AspNetCore.Hosting;
using KafkaFast.Producer;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace KafkaFast.AspNetCore.RequestEvents;

/// <summary>
/// Writes one JSON event per recorded request (at start, at end, or both). Never blocks and never fails the request:
/// a refused or failed event is counted as dropped, by reason. The work is split by concern:
/// <see cref="RequestEventFilter"/> (which requests), <see cref="RequestEventTopicSelector"/> and
/// <see cref="RequestEventKeyWriter"/> (where to), <see cref="RequestEventWriter"/> (the JSON),
/// <see cref="RequestEventSender"/> (the produce call, trace headers, metrics) and <see cref="RequestEventDrops"/>.
/// </summary>
internal sealed class KafkaRequestEventsMiddleware
{
    private readonly RequestDelegate _next;
    private readonly bool _onStart;
    private readonly bool _onEnd;
    private readonly bool _countBodyBytes;
    private readonly ILogger _logger;
    private readonly RequestEventDrops _drops;
    private readonly RequestEventFilter _filter;
    private readonly RequestEventTopicSelector _topics;
    private readonly RequestEventKeyWriter _keys;
    private readonly RequestEventWriter _writer;
    private readonly RequestEventSender _sender;

    public KafkaRequestEventsMiddleware(RequestDelegate next, KafkaRequestEventOptions options, KafkaProducerRegistry registry, KafkaFastMetrics metrics, ILoggerFactory loggerFactory)
    {
        _next = next;
        _onStart = (options.Phases & RequestEventPhases.Start) != 0;
        _onEnd = (options.Phases & RequestEventPhases.End) != 0;
        _countBodyBytes = options.CountBodyBytes;
        _logger = loggerFactory.CreateLogger("KafkaFast.RequestEvents");
        KafkaProducerRegistry.ProducerEntry entry = registry.GetEntry(options.ProducerName);
        KafkaTopic topic = entry.Producer.GetTopic(options.Topic); // blocking metadata fetch, at pipeline build (start-up)
        _drops = new RequestEventDrops(metrics, _logger);
        _filter = new RequestEventFilter(options, _drops, _logger);
        _topics = new RequestEventTopicSelector(options, entry.Producer, topic, _drops, _logger);
        _keys = new RequestEventKeyWriter(options);
        _writer = new RequestEventWriter(options);
        _sender = new RequestEventSender(options, entry.Producer, entry.Monitor, metrics, _drops);
        RequestEventsLog.Started(_logger, topic.Name, options.ProducerName, options.ToString());
    }

    public Task InvokeAsync(HttpContext context)
    {
        if (!_filter.ShouldRecord(context))
        {
            return _next(context);
        }

        // Read once: after `await _next` the execution context (and so Activity.Current) is the one captured here.
        Activity? activity = Activity.Current;
        DateTime startedUtc = activity?.StartTimeUtc ?? DateTime.UtcNow; // the request's activity has read the clock already
        if (_onStart && Emit(context, RequestEventPhase.Start, activity, startedUtc, error: null, counters: null) is Task waiting)
        {
            return ContinueAfterStartWait(waiting, context, activity, startedUtc);
        }

        return _onEnd ? InvokeThenEmitEnd(context, activity, startedUtc) : _next(context);
    }

    private async Task ContinueAfterStartWait(Task waiting, HttpContext context, Activity? activity, DateTime startedUtc)
    {
        await waiting.ConfigureAwait(false);
        await (_onEnd ? InvokeThenEmitEnd(context, activity, startedUtc) : _next(context)).ConfigureAwait(false);
    }

    private async Task InvokeThenEmitEnd(HttpContext context, Activity? activity, DateTime startedUtc)
    {
        BodyCounters? counters = _countBodyBytes ? new BodyCounters(context) : null;
        try
        {
            await _next(context).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            counters?.Restore();
            if (Emit(context, RequestEventPhase.End, activity, startedUtc, ex, counters) is Task failedWait)
            {
                await failedWait.ConfigureAwait(false);
            }

            throw;
        }

        counters?.Restore();
        if (Emit(context, RequestEventPhase.End, activity, startedUtc, error: null, counters) is Task wait)
        {
            await wait.ConfigureAwait(false);
        }
    }

    /// <summary>Writes one event. Returns null when done (written or dropped), or a task when waiting for budget space. Never throws.</summary>
    private Task? Emit(HttpContext context, RequestEventPhase phase, Activity? activity, DateTime startedUtc, Exception? error, BodyCounters? counters)
    {
        KafkaTopic? topic = null;
        byte[]? rentedKey = null;
        try
        {
            topic = _topics.Select(context);
            if (topic is null)
            {
                return null;
            }

            var state = new RequestEventState(_writer, context, phase, activity, startedUtc, error, counters);
            if (!_keys.HasKey)
            {
                return _sender.Send(topic, default, state);
            }

            Span<byte> keyBuffer = stackalloc byte[RequestEventKeyWriter.StackBytes];
            return _sender.Send(topic, _keys.Write(context, keyBuffer, ref rentedKey), state);
        }
        catch (ObjectDisposedException)
        {
            _drops.Drop(DropReason.Closed, (topic ?? _topics.Topic).Name);
        }
        catch (ArgumentException ex) when (ex.Message.Contains("message.max.bytes", StringComparison.Ordinal))
        {
            _drops.Drop(DropReason.TooLarge, (topic ?? _topics.Topic).Name);
        }
        catch (Exception ex)
        {
            _drops.Drop(DropReason.Error, (topic ?? _topics.Topic).Name);
            RequestEventsLog.EventFailed(_logger, ex);
        }
        finally
        {
            if (rentedKey is not null)
            {
                ArrayPool<byte>.Shared.Return(rentedKey);
            }
        }

        return null;
    }
}

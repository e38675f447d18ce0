using System.Diagnostics;
using Microsoft.AspNetCore.Http;

namespace KafkaFast.AspNetCore.RequestEvents;

/// <summary>What one event is written from: the produce call's state (a struct, no closure).</summary>
internal readonly struct RequestEventState(RequestEventWriter writer, HttpContext context, RequestEventPhase phase, long started, DateTime startedUtc, Exception? error, BodyCounters? counters)
{
    public RequestEventWriter Writer { get; } = writer;

    public HttpContext Context { get; } = context;

    public RequestEventPhase Phase { get; } = phase;

    /// <summary>Stopwatch timestamp of the request's start.</summary>
    public long Started { get; } = started;

    /// <summary>The request's start, UTC (its activity's start time, or the one wall-clock read per request).</summary>
    public DateTime StartedUtc { get; } = startedUtc;

    /// <summary>What the rest of the pipeline threw, if it did.</summary>
    public Exception? Error { get; } = error;

    public BodyCounters? Counters { get; } = counters;

    /// <summary>The event's own "send" span (while the KafkaFast activity source has listeners): its context is the one propagated.</summary>
    public Activity? Send { get; init; }
}

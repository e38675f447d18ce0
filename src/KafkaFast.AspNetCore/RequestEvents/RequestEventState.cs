using System.Diagnostics;
using Microsoft.AspNetCore.Http;

namespace KafkaFast.AspNetCore.RequestEvents;

/// <summary>What one event is written from: the produce call's state (a struct, no closure).</summary>
internal readonly struct RequestEventState(RequestEventWriter writer, HttpContext context, RequestEventPhase phase, Activity? activity, DateTime startedUtc, Exception? error, BodyCounters? counters)
{
    public RequestEventWriter Writer { get; } = writer;

    public HttpContext Context { get; } = context;

    public RequestEventPhase Phase { get; } = phase;

    /// <summary>The request's activity (Activity.Current when the middleware was entered), if any.</summary>
    public Activity? Activity { get; } = activity;

    /// <summary>The request's start, UTC: its activity's start time, else the clock read when the middleware was entered.</summary>
    public DateTime StartedUtc { get; } = startedUtc;

    /// <summary>What the rest of the pipeline threw, if it did.</summary>
    public Exception? Error { get; } = error;

    public BodyCounters? Counters { get; } = counters;

    /// <summary>The event's own "send" span (while the KafkaFast activity source has listeners): its context is the one propagated.</summary>
    public Activity? Send { get; init; }
}

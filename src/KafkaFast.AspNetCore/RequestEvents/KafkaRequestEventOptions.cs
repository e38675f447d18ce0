using System.Text.Json;
using KafkaFast.AspNetCore.Diagnostics;
using KafkaFast.AspNetCore.Options;
using KafkaFast.Producer;
using Microsoft.AspNetCore.Http;

namespace KafkaFast.AspNetCore.RequestEvents;

/// <summary>
/// What the request-event middleware (<c>app.UseKafkaRequestEvents</c>) writes, where, and for which requests.
/// The data settings bind from configuration (<c>KafkaFast:RequestEvents</c>); the hooks are set in code.
/// </summary>
/// <remarks>
/// Hooks run on the request path for every recorded request: keep them cheap and allocation-free where you can. A
/// hook that throws costs that request its event (counted as dropped, reason "error"), never the request itself.
/// </remarks>
public sealed class KafkaRequestEventOptions
{
    /// <summary>The producer to write with (a name registered with AddKafkaFast). Default "Default".</summary>
    public string ProducerName { get; set; } = HostedProducerOptions.DefaultName;

    /// <summary>The topic events go to (resolved when the pipeline is built). Required.</summary>
    public string Topic { get; set; } = string.Empty;

    /// <summary>Write an event when the request starts, when it ends, or both. Default <see cref="RequestEventPhases.End"/>.</summary>
    public RequestEventPhases Phases { get; set; } = RequestEventPhases.End;

    /// <summary>
    /// Fraction of requests recorded, 0..1. Decided once per request (start and end events go together) from the W3C
    /// trace id when there is one, so every service sampling at the same ratio keeps the same traces; at random
    /// otherwise. Default 1.
    /// </summary>
    public double SamplingRatio { get; set; } = 1.0;

    /// <summary>Path prefixes never recorded (whole segments, case-insensitive), e.g. "/health", "/metrics".</summary>
    public IList<string> ExcludePaths { get; } = new List<string>();

    /// <summary>Write the query string ("query"). Off by default: queries often carry personal data or tokens.</summary>
    public bool IncludeQuery { get; set; }

    /// <summary>
    /// Request headers written under "headers" (case-insensitive names). Credentials (Authorization, Cookie,
    /// Proxy-Authorization, X-Api-Key...) are written as "***".
    /// </summary>
    public IList<string> IncludeHeaders { get; } = new List<string>();

    /// <summary>
    /// Count the body bytes actually read and written ("request_bytes", "response_bytes" in end events), chunked
    /// bodies included. Off by default: it wraps the body streams (a few objects per request), and without it the
    /// event carries the declared Content-Length values, when there are.
    /// </summary>
    public bool CountBodyBytes { get; set; }

    /// <summary>The message key when <see cref="KeySelector"/> is not set. Default none.</summary>
    public RequestEventKey Key { get; set; } = RequestEventKey.None;

    /// <summary>
    /// Carry the request's W3C trace context with the event: the "traceparent" (and "tracestate") fields of its JSON,
    /// from which a consumer continues the trace (<see cref="KafkaTraceContext.TryExtractFromEvent"/>). While the
    /// KafkaFast activity source has listeners, it is the context of the event's own "send" span. Default true.
    /// </summary>
    public bool PropagateTraceContext { get; set; } = true;

    /// <summary>
    /// Also write the trace context as Kafka message headers (<c>traceparent</c>, <c>tracestate</c>), where OpenTelemetry's
    /// messaging instrumentation looks for it (<see cref="KafkaTraceContext.TryExtract(IEnumerable{KafkaHeader}, out System.Diagnostics.ActivityContext)"/>).
    /// Off by default: librdkafka takes a message with headers only one per call (<c>rd_kafka_produceva</c>), not in
    /// the producer's batches, which costs about 1 µs of CPU more per event (docs/ASPNETCORE.md, "Benchmark").
    /// </summary>
    public bool TraceContextInHeaders { get; set; }

    /// <summary>
    /// When the producer's memory budget is full, wait up to this long for space instead of dropping the event at once.
    /// The wait delays that request (start events delay its handling, end events its completion). Default zero: drop.
    /// </summary>
    public TimeSpan BudgetFullWait { get; set; } = TimeSpan.Zero;

    /// <summary>Requests for which it returns false are not recorded (decided when the request starts).</summary>
    public Func<HttpContext, bool>? Filter { get; set; }

    /// <summary>The message key (e.g. a client or user id; UTF-8 encoded, no copy kept); null or empty for none. Overrides <see cref="Key"/>.</summary>
    public Func<HttpContext, string?>? KeySelector { get; set; }

    /// <summary>
    /// The topic of one event; null for <see cref="Topic"/>. A topic not seen before is resolved in the background and
    /// its first events are dropped (reason "topic_unavailable") rather than making the request wait; at most 64.
    /// </summary>
    public Func<HttpContext, string?>? TopicSelector { get; set; }

    /// <summary>
    /// Writes extra properties into the event object (e.g. <c>json.WriteString("tenant", ...)</c>), after the built-in
    /// ones. Write whole members only (name and value); the writer is a per-thread one, and what it wrote is appended.
    /// </summary>
    public Action<Utf8JsonWriter, HttpContext, RequestEventPhase>? WriteFields { get; set; }

    /// <inheritdoc/>
    public override string ToString() =>
        $"ProducerName={ProducerName}, Topic={Topic}, Phases={Phases}, SamplingRatio={SamplingRatio}, ExcludePaths=[{string.Join(", ", ExcludePaths)}], " +
        $"IncludeQuery={IncludeQuery}, IncludeHeaders=[{string.Join(", ", IncludeHeaders)}], CountBodyBytes={CountBodyBytes}, Key={Key}, PropagateTraceContext={PropagateTraceContext}, TraceContextInHeaders={TraceContextInHeaders}, BudgetFullWait={BudgetFullWait}";
}

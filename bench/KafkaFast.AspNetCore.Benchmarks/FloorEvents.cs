using System.Buffers;
using System.Diagnostics;
using KafkaFast.AspNetCore.RequestEvents;
using KafkaFast.Producer;

namespace KafkaFast.AspNetCore.Benchmarks;

/// <summary>
/// The two halves of a request event, measured apart (the inproc mode's "json" and "bytes" variants): the event's
/// JSON alone (the request-events middleware's own writer, same fields, into a per-thread buffer, no Kafka), and the
/// produce machinery alone (an event of the same bytes, written once at start-up, copied in by TryProduce; then the
/// worker and librdkafka). Their sum against the "kafkafast" variant shows what the schema costs and what the
/// hand-off to Kafka costs.
/// </summary>
internal static class FloorEvents
{
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_json;

    private static readonly RequestEventWriter s_writer = new(new KafkaRequestEventOptions { Topic = "unused" });

    /// <summary>The end event's JSON for this request, written and thrown away.</summary>
    public static void UseJsonOnly(IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        Activity? activity = Activity.Current;
        DateTime startedUtc = activity?.StartTimeUtc ?? DateTime.UtcNow;
        await next(context);
        Write(context, activity, startedUtc);
    });

    /// <summary>
    /// A prepared event of the same bytes, produced keyless per request. Copying is so much cheaper than writing the
    /// JSON that a flat-out loop outruns Kafka and fills the budget: a refused call sleeps 1 ms (no CPU) and retries,
    /// so every call ends as one accepted event, as in the other variants.
    /// </summary>
    public static void UseBytesOnly(IApplicationBuilder app, KafkaProducer producer, string topic, byte[] value)
    {
        KafkaTopic handle = producer.GetTopic(topic);
        app.Use(async (context, next) =>
        {
            await next(context);
            while (!producer.TryProduce(handle, value))
            {
                Thread.Sleep(1);
            }
        });
    }

    /// <summary>The event the middleware would write for <paramref name="context"/> (with a request activity), as bytes.</summary>
    public static byte[] SampleEvent(HttpContext context)
    {
        using Activity activity = new Activity("Microsoft.AspNetCore.Hosting.HttpRequestIn").SetIdFormat(ActivityIdFormat.W3C).Start();
        return Write(context, activity, activity.StartTimeUtc).ToArray();
    }

    private static ReadOnlySpan<byte> Write(HttpContext context, Activity? activity, DateTime startedUtc)
    {
        ArrayBufferWriter<byte> buffer = t_json ??= new ArrayBufferWriter<byte>(4096);
        buffer.ResetWrittenCount();
        var state = new RequestEventState(s_writer, context, RequestEventPhase.End, activity, startedUtc, error: null, counters: null);
        buffer.GetSpan(s_writer.EstimateSize(in state)); // as the producer reserves before writing
        s_writer.Write(buffer, in state);
        return buffer.WrittenSpan;
    }
}

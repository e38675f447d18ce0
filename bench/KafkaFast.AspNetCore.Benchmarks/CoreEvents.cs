using System.Diagnostics;
using KafkaFast.AspNetCore.Diagnostics;
using KafkaFast.Producer;

namespace KafkaFast.AspNetCore.Benchmarks;

/// <summary>The core call alone: the same fields and traceparent header through TryProduceJson from a bare middleware (no options, hooks, sampling, metrics).</summary>
internal static class CoreEvents
{
    [ThreadStatic]
    private static byte[]? t_traceParent;

    [ThreadStatic]
    private static KafkaHeader[]? t_headers;

    public static void Use(IApplicationBuilder app, KafkaProducer producer, string topic)
    {
        KafkaTopic handle = producer.GetTopic(topic);
        app.Use(async (context, next) =>
        {
            long started = Stopwatch.GetTimestamp();
            DateTime startedUtc = DateTime.UtcNow;
            await next(context);
            Produce(producer, handle, context, started, startedUtc);
        });
    }

    public static bool Produce(KafkaProducer producer, KafkaTopic topic, HttpContext context, long started, DateTime startedUtc)
    {
        ReadOnlySpan<KafkaHeader> headers = default;
        if (Activity.Current is { } activity)
        {
            byte[] traceParent = t_traceParent ??= new byte[55];
            System.Text.Encoding.ASCII.GetBytes(activity.Id!, traceParent);
            KafkaHeader[] array = t_headers ??= new KafkaHeader[1];
            array[0] = new KafkaHeader(KafkaTraceContext.TraceParentHeader, traceParent);
            headers = array;
        }

        return producer.TryProduceJson(topic, default, (context, started, startedUtc), static (json, s) => UsualEvent.Write(json, s.context, s.started, s.startedUtc), headers);
    }
}

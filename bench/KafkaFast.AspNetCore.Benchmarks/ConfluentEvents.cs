using System.Diagnostics;
using System.Text;
using Confluent.Kafka;

namespace KafkaFast.AspNetCore.Benchmarks;

/// <summary>The usual request-event middleware over Confluent.Kafka: serialize into a pooled buffer, copy to a byte[], the traceparent header, Produce with a handler.</summary>
internal sealed class ConfluentEvents(string bootstrap, string topic)
{
    private readonly IProducer<byte[], byte[]> _producer = new ProducerBuilder<byte[], byte[]>(new ProducerConfig
    {
        BootstrapServers = bootstrap,
        LingerMs = BenchServer.Linger.TotalMilliseconds, // KafkaFast's defaults: linger 5 ms, acks all, idempotence on
        StickyPartitioningLingerMs = (int)BenchServer.StickyPartitioningLinger.TotalMilliseconds, // the same sticky period as KafkaFast
        Acks = Confluent.Kafka.Acks.All,
        EnableIdempotence = true,
    }).Build();

    private long _delivered, _failed, _refused;

    public void Use(IApplicationBuilder app)
    {
        Action<DeliveryReport<byte[], byte[]>> onDelivery = report =>
        {
            if (report.Error.IsError)
            {
                Interlocked.Increment(ref _failed);
            }
            else
            {
                Interlocked.Increment(ref _delivered);
            }
        };
        app.Use(async (context, next) =>
        {
            long started = Stopwatch.GetTimestamp();
            DateTime startedUtc = DateTime.UtcNow;
            await next(context);
            Produce(UsualEvent.Serialize(context, started, startedUtc).ToArray(), UsualEvent.TraceParent(), onDelivery);
        });
    }

    public void Produce(byte[] value, string? traceParent, Action<DeliveryReport<byte[], byte[]>> onDelivery)
    {
        var message = new Message<byte[], byte[]> { Value = value };
        if (traceParent is not null)
        {
            message.Headers = new Headers { { "traceparent", Encoding.ASCII.GetBytes(traceParent) } };
        }

        try
        {
            _producer.Produce(topic, message, onDelivery);
        }
        catch (ProduceException<byte[], byte[]>)
        {
            Interlocked.Increment(ref _refused); // local queue full: dropped, never fail the request
        }
    }

    public void Flush() => _producer.Flush(TimeSpan.FromSeconds(60));

    public string Close()
    {
        int left = _producer.Flush(TimeSpan.FromSeconds(30));
        _producer.Dispose();
        return $"delivered {_delivered}, failed {_failed}, refused {_refused}, unflushed {left}";
    }
}

using Confluent.Kafka;
using KafkaFast.Producer;

namespace KafkaFast.AspNetCore.Benchmarks;

/// <summary>The server of one benchmark run: GET /hello in one configuration and one variant; prints its event counts when stopped.</summary>
internal static class BenchServer
{
    /// <summary>linger for both producers: LINGER_MS in the environment, else KafkaFast's default (5 ms).</summary>
    internal static TimeSpan Linger => TimeSpan.FromMilliseconds(int.TryParse(Environment.GetEnvironmentVariable("LINGER_MS"), out int ms) ? ms : 5);

    /// <summary>
    /// How long keyless events stick to a partition, for both producers: STICKY_MS in the environment, else KafkaFast's
    /// default (100 ms, or 20 lingers when longer; KafkaProducerOptions.StickyPartitioningLinger). Confluent.Kafka's own
    /// default is librdkafka's 10 ms.
    /// </summary>
    internal static TimeSpan StickyPartitioningLinger => TimeSpan.FromMilliseconds(
        int.TryParse(Environment.GetEnvironmentVariable("STICKY_MS"), out int ms) ? ms : Math.Max(100, 20 * Linger.TotalMilliseconds));

    internal static readonly string[] Variants = ["none", "kafkafast", "kafkafast-headers", "confluent", "core"];

    public static async Task<int> RunAsync(bool template, string variant, string bootstrap, string port, string topic)
    {
        WebApplicationBuilder builder;
        if (template)
        {
            builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory }); // its appsettings.json
        }
        else
        {
            builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders(); // no logging, hence no per-request Activity
        }

        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        if (variant is "kafkafast" or "kafkafast-headers" or "core")
        {
            builder.Services.AddKafkaFast(o =>
            {
                o.Producer.BootstrapServers = bootstrap;
                o.Producer.Linger = Linger;
                o.Producer.StickyPartitioningLinger = StickyPartitioningLinger;
                o.Topics.Add(topic);
            });
        }

        WebApplication app = builder.Build();
        long served = 0;
        app.Use((context, next) =>
        {
            Interlocked.Increment(ref served); // every build counts its requests: events in the topic must equal it
            return next(context);
        });
        ConfluentEvents? confluent = null;
        switch (variant)
        {
            case "kafkafast":
                app.UseKafkaRequestEvents(o => o.Topic = topic);
                break;
            case "kafkafast-headers":
                app.UseKafkaRequestEvents(o =>
                {
                    o.Topic = topic;
                    o.TraceContextInHeaders = true; // the trace context as Kafka headers too: librdkafka's one-message-per-call path
                });
                break;
            case "core":
                CoreEvents.Use(app, app.Services.GetRequiredService<KafkaProducer>(), topic);
                break;
            case "confluent":
                confluent = new ConfluentEvents(bootstrap, topic);
                confluent.Use(app);
                break;
        }

        app.MapGet("/hello", () => "hello");
        IKafkaProducerProvider? provider = variant is "kafkafast" or "kafkafast-headers" or "core" ? app.Services.GetRequiredService<IKafkaProducerProvider>() : null;
        await app.RunAsync();
        Console.WriteLine($"SERVED {Interlocked.Read(ref served)}");

        if (provider is not null)
        {
            // The host drained the producer on shutdown; its counters remain readable.
            Console.WriteLine($"RESULT {variant} {provider.GetProducer().GetStatistics()}");
        }
        else if (confluent is not null)
        {
            Console.WriteLine($"RESULT confluent {confluent.Close()}");
        }

        return 0;
    }
}

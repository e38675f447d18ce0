// Three builds of one minimal endpoint for bench/aspnet-wrk.sh:
//   none       no events
//   kafkafast  app.UseKafkaRequestEvents (one JSON event per request, written into the producer's buffer)
//   confluent  the same event written the usual way: Utf8JsonWriter into a buffer, ToArray, Confluent.Kafka Produce with a handler
// and the broker, in its own process so that its CPU is not counted as the server's:
//   dotnet KafkaFast.AspNetCore.Benchmarks.dll broker                     prints "BOOTSTRAP host:port,..." and runs until stdin closes
//   dotnet KafkaFast.AspNetCore.Benchmarks.dll server VARIANT BOOTSTRAP PORT
//   dotnet KafkaFast.AspNetCore.Benchmarks.dll inproc BOOTSTRAP            the request thread's cost per event, without HTTP: best of 5 runs
using System.Buffers;
using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Confluent.Kafka;
using KafkaFast.AspNetCore;
using KafkaFast.Mock;
using KafkaFast.Producer;
using Microsoft.AspNetCore.Routing;

const string Topic = "bench-requests";

if (args.Length >= 1 && args[0] == "broker")
{
    using var cluster = new KafkaMockCluster(3);
    cluster.CreateTopic(Topic, 6);
    Console.WriteLine($"BOOTSTRAP {cluster.BootstrapServers}");
    Console.Out.Flush();
    while (Console.In.ReadLine() is not null)
    {
    }

    return 0;
}

if (args.Length == 2 && args[0] == "inproc")
{
    return await InProcess.RunAsync(args[1], Topic);
}

if (args.Length != 4 || args[0] != "server" || args[1] is not ("none" or "kafkafast" or "confluent"))
{
    Console.Error.WriteLine("usage: broker | server none|kafkafast|confluent BOOTSTRAP PORT");
    return 2;
}

string variant = args[1], bootstrap = args[2], port = args[3];
WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
builder.Logging.ClearProviders(); // the same for every variant: no logging, hence no per-request Activity
builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
if (variant == "kafkafast")
{
    builder.Services.AddKafkaFast(o =>
    {
        o.Producer.BootstrapServers = bootstrap;
        o.Topics.Add(Topic);
    });
}

WebApplication app = builder.Build();
IProducer<byte[], byte[]>? confluent = null;
long confluentDelivered = 0, confluentFailed = 0, confluentRefused = 0;
if (variant == "kafkafast")
{
    app.UseKafkaRequestEvents(o => o.Topic = Topic);
}
else if (variant == "confluent")
{
    confluent = new ProducerBuilder<byte[], byte[]>(new ProducerConfig
    {
        BootstrapServers = bootstrap,
        LingerMs = 5,               // KafkaFast's defaults: linger 5 ms, acks all, idempotence on
        Acks = Confluent.Kafka.Acks.All,
        EnableIdempotence = true,
    }).Build();
    Action<DeliveryReport<byte[], byte[]>> onDelivery = report =>
    {
        if (report.Error.IsError)
        {
            Interlocked.Increment(ref confluentFailed);
        }
        else
        {
            Interlocked.Increment(ref confluentDelivered);
        }
    };
    app.Use(async (context, next) =>
    {
        long started = Stopwatch.GetTimestamp();
        DateTime startedUtc = DateTime.UtcNow;
        await next(context);
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var json = new Utf8JsonWriter(buffer))
        {
            UsualEvent.Write(json, context, started, startedUtc);
        }

        if (!UsualEvent.TryProduce(confluent, Topic, buffer, onDelivery))
        {
            Interlocked.Increment(ref confluentRefused); // local queue full: dropped, never fail the request
        }
    });
}

app.MapGet("/hello", () => "hello");
IKafkaProducerProvider? provider = variant == "kafkafast" ? app.Services.GetRequiredService<IKafkaProducerProvider>() : null;
await app.RunAsync();

if (provider is not null)
{
    // The host drained the producer on shutdown; its counters remain readable.
    Console.WriteLine($"RESULT kafkafast {provider.GetProducer().GetStatistics()}");
}
else if (confluent is not null)
{
    int left = confluent.Flush(TimeSpan.FromSeconds(30));
    confluent.Dispose();
    Console.WriteLine($"RESULT confluent delivered {confluentDelivered}, failed {confluentFailed}, refused {confluentRefused}, unflushed {left}");
}

return 0;

/// <summary>The same fields as KafkaFast's end event, written the usual way.</summary>
internal static class UsualEvent
{
    public static bool TryProduce(IProducer<byte[], byte[]> producer, string topic, ArrayBufferWriter<byte> buffer, Action<DeliveryReport<byte[], byte[]>> onDelivery)
    {
        try
        {
            producer.Produce(topic, new Message<byte[], byte[]> { Value = buffer.WrittenSpan.ToArray() }, onDelivery);
            return true;
        }
        catch (ProduceException<byte[], byte[]>)
        {
            return false;
        }
    }

    public static void Write(Utf8JsonWriter json, HttpContext context, long started, DateTime startedUtc)
    {
        HttpRequest request = context.Request;
        json.WriteStartObject();
        json.WriteString("event", "request.end");
        json.WriteString("id", context.TraceIdentifier);
        json.WriteString("ts", DateTime.UtcNow);
        json.WriteString("start", startedUtc);
        json.WriteString("method", request.Method);
        json.WriteString("scheme", request.Scheme);
        json.WriteString("host", request.Host.Value);
        json.WriteString("path", request.Path.Value);
        if (context.GetEndpoint() is RouteEndpoint { RoutePattern.RawText: { } route })
        {
            json.WriteString("route", route);
        }

        json.WriteString("protocol", request.Protocol);
        json.WriteNumber("status", context.Response.StatusCode);
        json.WriteNumber("duration_ms", Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        if (context.Response.ContentLength is long length)
        {
            json.WriteNumber("response_bytes", length);
        }

        if (context.Connection.RemoteIpAddress is IPAddress address)
        {
            json.WriteString("client", address.ToString());
        }

        if (request.Headers.UserAgent.Count > 0)
        {
            json.WriteString("user_agent", request.Headers.UserAgent.ToString());
        }

        json.WriteEndObject();
    }
}

/// <summary>
/// The request thread's share: each variant's middleware invoked directly on a prepared HttpContext (no socket, no
/// HTTP parsing), best of 5 runs of 200,000 calls. The producers' background work is not in these numbers; the wrk
/// runs measure everything.
/// </summary>
internal static class InProcess
{
    public static async Task<int> RunAsync(string bootstrap, string topic)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddKafkaFast(o =>
        {
            o.Producer.BootstrapServers = bootstrap;
            o.Topics.Add(topic);
        });
        await using WebApplication app = builder.Build();
        await app.StartAsync();
        using IProducer<byte[], byte[]> confluent = new ProducerBuilder<byte[], byte[]>(new ProducerConfig
        {
            BootstrapServers = bootstrap, LingerMs = 5, Acks = Confluent.Kafka.Acks.All, EnableIdempotence = true,
        }).Build();
        Action<DeliveryReport<byte[], byte[]>> onDelivery = static _ => { };

        RequestDelegate endpoint = static _ => Task.CompletedTask;
        var none = new ApplicationBuilder(app.Services);
        none.Run(endpoint);
        var kafkaFast = new ApplicationBuilder(app.Services);
        kafkaFast.UseKafkaRequestEvents(o => o.Topic = topic);
        kafkaFast.Run(endpoint);
        var usual = new ApplicationBuilder(app.Services);
        usual.Use(async (context, next) =>
        {
            long started = Stopwatch.GetTimestamp();
            DateTime startedUtc = DateTime.UtcNow;
            await next(context);
            var buffer = new ArrayBufferWriter<byte>(512);
            using (var json = new Utf8JsonWriter(buffer))
            {
                UsualEvent.Write(json, context, started, startedUtc);
            }

            UsualEvent.TryProduce(confluent, topic, buffer, onDelivery);
        });
        usual.Run(endpoint);

        // The same fields as "confluent", written with the core's TryProduceJson by a bare middleware: what the
        // KafkaFast middleware adds on top of the core call (options, hooks, sampling, metrics checks).
        KafkaProducer kafkaProducer = app.Services.GetRequiredService<KafkaProducer>();
        KafkaTopic kafkaTopic = kafkaProducer.GetTopic(topic);
        var bare = new ApplicationBuilder(app.Services);
        bare.Use(async (context, next) =>
        {
            long started = Stopwatch.GetTimestamp();
            DateTime startedUtc = DateTime.UtcNow;
            await next(context);
            kafkaProducer.TryProduceJson(kafkaTopic, default, (context, started, startedUtc), static (json, s) => UsualEvent.Write(json, s.context, s.started, s.startedUtc));
        });
        bare.Run(endpoint);

        var variants = new (string Name, RequestDelegate Pipeline)[] { ("none", none.Build()), ("kafkafast", kafkaFast.Build()), ("confluent", usual.Build()), ("core-only", bare.Build()) };
        HttpContext context = Context();
        var best = new Dictionary<string, (double Ns, double Bytes)>();
        for (int run = 0; run < 5; run++)
        {
            foreach ((string name, RequestDelegate pipeline) in variants)
            {
                const int Calls = 200_000;
                long allocated = GC.GetAllocatedBytesForCurrentThread();
                long start = Stopwatch.GetTimestamp();
                for (int i = 0; i < Calls; i++)
                {
                    pipeline(context).GetAwaiter().GetResult();
                }

                double ns = Stopwatch.GetElapsedTime(start).TotalNanoseconds / Calls;
                double bytes = (double)(GC.GetAllocatedBytesForCurrentThread() - allocated) / Calls;
                if (!best.TryGetValue(name, out var b) || ns < b.Ns)
                {
                    best[name] = (ns, bytes);
                }

                await app.Services.GetRequiredService<IKafkaProducerProvider>().GetProducer().FlushAsync(TimeSpan.FromSeconds(30));
                confluent.Flush(TimeSpan.FromSeconds(30));
            }
        }

        double baseline = best["none"].Ns;
        foreach ((string name, (double ns, double bytes)) in best)
        {
            Console.WriteLine($"INPROC {name,-10} {ns,8:F0} ns/request  {ns - baseline,8:F0} ns added per event  {bytes,6:F0} bytes allocated/request");
        }

        await app.StopAsync();
        return 0;
    }

    private static DefaultHttpContext Context()
    {
        var context = new DefaultHttpContext();
        context.Request.Method = "GET";
        context.Request.Scheme = "http";
        context.Request.Host = new HostString("127.0.0.1:5090");
        context.Request.Path = "/hello";
        context.Request.Protocol = "HTTP/1.1";
        context.Request.Headers.UserAgent = "wrk";
        context.Connection.RemoteIpAddress = IPAddress.Loopback;
        context.Response.StatusCode = 200;
        context.SetEndpoint(new RouteEndpoint(static _ => Task.CompletedTask, Microsoft.AspNetCore.Routing.Patterns.RoutePatternFactory.Parse("/hello"), 0, null, "hello"));
        _ = context.TraceIdentifier;
        return context;
    }
}

using System.Diagnostics;
using System.Net;
using KafkaFast.Measurement;
using KafkaFast.Producer;
using Microsoft.AspNetCore.Routing;

namespace KafkaFast.AspNetCore.Benchmarks;

/// <summary>
/// The request thread's share: each variant's middleware invoked directly on a prepared HttpContext (no socket, no
/// HTTP parsing), with a request Activity started per call as ASP.NET Core's hosting layer does when logging is on,
/// and without; 5 runs (INPROC_RUNS) of 200,000 calls per variant, interleaved, medians. CPU per thread (schedstat): the calling
/// thread (what a request thread pays), KafkaFast's worker and librdkafka's threads (read after every event was
/// delivered), each minus the "none" variant's. The wrk runs measure the whole server.
/// </summary>
internal static class InProcess
{
    /// <summary>Calls per variant in one run.</summary>
    private const int Calls = 200_000;

    /// <summary>Runs per variant (INPROC_RUNS, default 5): more for a steadier median on a busy machine.</summary>
    private static readonly int Runs = int.TryParse(Environment.GetEnvironmentVariable("INPROC_RUNS"), out int runs) && runs > 0 ? runs : 5;

    /// <summary>For a profiler (perf): one variant's pipeline called in a loop on this thread for <paramref name="seconds"/>.</summary>
    public static Task<int> LoopAsync(string bootstrap, string topic, string variant, bool withActivity, double seconds) =>
        RunAsync(bootstrap, topic, (variant, withActivity, seconds));

    public static async Task<int> RunAsync(string bootstrap, string topic, (string Variant, bool WithActivity, double Seconds)? loop = null)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddKafkaFast(o =>
        {
            o.Producer.BootstrapServers = bootstrap;
            o.Producer.Linger = BenchServer.Linger;
            o.Producer.StickyPartitioningLinger = BenchServer.StickyPartitioningLinger;
            o.Topics.Add(topic);
        });
        await using WebApplication app = builder.Build();
        await app.StartAsync();
        var confluent = new ConfluentEvents(bootstrap, topic);
        KafkaProducer producer = app.Services.GetRequiredService<KafkaProducer>();

        RequestDelegate endpoint = static _ => Task.CompletedTask;
        var none = new ApplicationBuilder(app.Services);
        none.Run(endpoint);
        var kafkaFast = new ApplicationBuilder(app.Services);
        kafkaFast.UseKafkaRequestEvents(o => o.Topic = topic);
        kafkaFast.Run(endpoint);
        var kafkaFastHeaders = new ApplicationBuilder(app.Services);
        kafkaFastHeaders.UseKafkaRequestEvents(o =>
        {
            o.Topic = topic;
            o.TraceContextInHeaders = true;
        });
        kafkaFastHeaders.Run(endpoint);
        var usual = new ApplicationBuilder(app.Services);
        confluent.Use(usual);
        usual.Run(endpoint);
        var core = new ApplicationBuilder(app.Services);
        CoreEvents.Use(core, producer, topic);
        core.Run(endpoint);
        HttpContext context = Context();
        var jsonOnly = new ApplicationBuilder(app.Services);
        FloorEvents.UseJsonOnly(jsonOnly);
        jsonOnly.Run(endpoint);
        var bytesOnly = new ApplicationBuilder(app.Services);
        FloorEvents.UseBytesOnly(bytesOnly, producer, topic, FloorEvents.SampleEvent(context));
        bytesOnly.Run(endpoint);

        var variants = new (string Name, RequestDelegate Pipeline)[]
        {
            ("none", none.Build()), ("kafkafast", kafkaFast.Build()), ("kafkafast-headers", kafkaFastHeaders.Build()), ("confluent", usual.Build()), ("core", core.Build()),
            ("json", jsonOnly.Build()), ("bytes", bytesOnly.Build()),
        };
        if (loop is { } only)
        {
            RequestDelegate pipeline = variants.Single(v => v.Name == only.Variant).Pipeline;
            var stopwatch = Stopwatch.StartNew();
            long calls = 0;
            while (stopwatch.Elapsed.TotalSeconds < only.Seconds)
            {
                for (int i = 0; i < 10_000; i++, calls++)
                {
                    using Activity? activity = only.WithActivity ? new Activity("Microsoft.AspNetCore.Hosting.HttpRequestIn").SetIdFormat(ActivityIdFormat.W3C).Start() : null;
                    pipeline(context).GetAwaiter().GetResult();
                }
            }

            await producer.FlushAsync(TimeSpan.FromSeconds(60));
            Console.WriteLine($"LOOP {only.Variant} {calls} calls in {stopwatch.Elapsed.TotalSeconds:F1} s");
            await app.StopAsync();
            return 0;
        }

        foreach (bool withActivity in new[] { true, false })
        {
            var runs = new Dictionary<string, List<Cost>>();
            for (int run = 0; run < Runs; run++)
            {
                foreach ((string name, RequestDelegate pipeline) in variants)
                {
                    IReadOnlyList<ThreadCpuTime> threadsBefore = ThreadCpu.Read();
                    ThreadCpuTime self = ThreadCpu.Current();
                    long allocated = GC.GetAllocatedBytesForCurrentThread();
                    long refusedBefore = producer.GetStatistics().RejectedTotal;
                    for (int i = 0; i < Calls; i++)
                    {
                        using Activity? activity = withActivity ? new Activity("Microsoft.AspNetCore.Hosting.HttpRequestIn").SetIdFormat(ActivityIdFormat.W3C).Start() : null;
                        pipeline(context).GetAwaiter().GetResult();
                    }

                    double bytes = (double)(GC.GetAllocatedBytesForCurrentThread() - allocated) / Calls;
                    ThreadCpuTime selfAfter = ThreadCpu.Current();
                    long refused = producer.GetStatistics().RejectedTotal - refusedBefore;

                    // Every event delivered before the reading: the worker's and librdkafka's share is in it.
                    await producer.FlushAsync(TimeSpan.FromSeconds(60));
                    confluent.Flush();
                    IReadOnlyList<ThreadCpuTime> used = ThreadCpu.Between(threadsBefore, ThreadCpu.Read());
                    double Per(string prefix) => used.Where(t => t.Name.StartsWith(prefix, StringComparison.Ordinal)).Sum(t => (double)t.CpuNanoseconds) / Calls;
                    double others = used.Where(t => t.ThreadId != self.ThreadId && !t.Name.StartsWith("KafkaFast produ", StringComparison.Ordinal) && !t.Name.StartsWith("rdk:", StringComparison.Ordinal))
                        .Sum(t => (double)t.CpuNanoseconds) / Calls;
                    var cost = new Cost((selfAfter.CpuNanoseconds - self.CpuNanoseconds) / (double)Calls, Per("KafkaFast produ"), Per("rdk:"), others, bytes, refused);
                    (runs.TryGetValue(name, out List<Cost>? list) ? list : runs[name] = []).Add(cost);
                }
            }

            Cost baseline = Cost.Median(runs["none"]);
            foreach ((string name, List<Cost> list) in runs)
            {
                Cost c = Cost.Median(list);
                double total = c.Request - baseline.Request + c.Worker - baseline.Worker + c.Librdkafka - baseline.Librdkafka + c.Others - baseline.Others;
                Console.WriteLine($"INPROC {(withActivity ? "activity" : "no-activity"),-11} {name,-17} {total,6:F0} ns added per event: request thread {c.Request - baseline.Request,6:F0}, KafkaFast worker {c.Worker - baseline.Worker,5:F0}, librdkafka {c.Librdkafka - baseline.Librdkafka,5:F0}, other threads {c.Others - baseline.Others,5:F0} (medians of {Runs}); {c.Bytes,5:F0} bytes allocated/request; refused {c.Refused} of {Calls} (median)");
            }
        }

        Console.WriteLine($"INPROC confluent: {confluent.Close()}");
        await app.StopAsync();
        return 0;
    }

    /// <summary>CPU per call, in nanoseconds: the calling (request) thread, KafkaFast's worker, librdkafka's threads, every other thread (GC, thread pool, Confluent's poll thread).</summary>
    private readonly record struct Cost(double Request, double Worker, double Librdkafka, double Others, double Bytes, long Refused)
    {
        public static Cost Median(List<Cost> costs)
        {
            static double Mid(IEnumerable<double> values) => values.Order().ElementAt(values.Count() / 2);
            return new Cost(Mid(costs.Select(c => c.Request)), Mid(costs.Select(c => c.Worker)), Mid(costs.Select(c => c.Librdkafka)),
                Mid(costs.Select(c => c.Others)), Mid(costs.Select(c => c.Bytes)), (long)Mid(costs.Select(c => (double)c.Refused)));
        }
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

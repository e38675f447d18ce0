using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using KafkaFast.AspNetCore.Diagnostics;
using KafkaFast.AspNetCore.Hosting;
using KafkaFast.AspNetCore.RequestEvents;
using KafkaFast.AspNetCore.Tests.Support;
using KafkaFast.Producer;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace KafkaFast.AspNetCore.Tests;

/// <summary>Producer spans and their trace headers; the request path's allocations. Serial: an ActivityListener is process-wide.</summary>
[Collection(SerialTests.Name)]
public sealed class TracingAndAllocationTests
{
    [Fact]
    public async Task Each_event_gets_a_producer_span_child_of_the_request_and_its_context_travels_with_the_event()
    {
        string topic = "requests-traced";
        var sends = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == KafkaFastTelemetry.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a =>
            {
                if ((string?)a.GetTagItem("messaging.destination.name") == topic)
                {
                    sends.Enqueue(a);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        await using var app = await TestApp.StartAsync(TestApp.EmbeddedConfig(topic));

        var traceId = ActivityTraceId.CreateRandom();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/hello");
        request.Headers.Add("traceparent", $"00-{traceId.ToHexString()}-{ActivitySpanId.CreateRandom().ToHexString()}-01");
        (await app.Client.SendAsync(request)).EnsureSuccessStatusCode().Dispose();

        ReadBack.Event e = ReadBack.Events(app.Bootstrap, topic, expected: 1).Single();
        Activity send = Assert.Single(sends);
        Assert.Equal($"send {topic}", send.DisplayName);
        Assert.Equal(ActivityKind.Producer, send.Kind);
        Assert.Equal(traceId, send.TraceId);
        Assert.Equal(e.Str("span_id"), send.ParentSpanId.ToHexString()); // child of the request's span
        Assert.Equal("kafka", send.GetTagItem("messaging.system"));
        Assert.Equal("send", send.GetTagItem("messaging.operation.name"));
        Assert.True(KafkaTraceContext.TryExtractFromEvent(e.Value, out ActivityContext restored));
        Assert.Equal(send.SpanId, restored.SpanId); // a consumer continues from the producer span
        Assert.Equal(traceId, restored.TraceId);
    }

    [Fact]
    public async Task With_TraceContextInHeaders_the_context_is_also_in_the_Kafka_headers()
    {
        string topic = "requests-trace-headers";
        var config = TestApp.EmbeddedConfig(topic);
        config["KafkaFast:RequestEvents:TraceContextInHeaders"] = "true";
        await using var app = await TestApp.StartAsync(config);
        var traceId = ActivityTraceId.CreateRandom();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/hello");
        request.Headers.Add("traceparent", $"00-{traceId.ToHexString()}-{ActivitySpanId.CreateRandom().ToHexString()}-01");
        request.Headers.Add("tracestate", "vendor=abc");
        (await app.Client.SendAsync(request)).EnsureSuccessStatusCode().Dispose();

        ReadBack.Event e = ReadBack.Events(app.Bootstrap, topic, expected: 1).Single();
        Assert.Equal(e.Str("traceparent"), System.Text.Encoding.ASCII.GetString(e.Header("traceparent")!));
        Assert.Equal("vendor=abc", System.Text.Encoding.ASCII.GetString(e.Header("tracestate")!));
        Assert.Equal("vendor=abc", e.Str("tracestate"));
        Assert.True(KafkaTraceContext.TryExtract(e.Headers.Select(h => new KafkaHeader(h.Key, h.Value)), out ActivityContext restored));
        Assert.Equal(traceId, restored.TraceId);
        Assert.Equal(e.Str("span_id"), restored.SpanId.ToHexString()); // no listener: the request's own span
        Assert.Equal("vendor=abc", restored.TraceState);
    }

    [Fact]
    public async Task Trace_propagation_can_be_turned_off()
    {
        string topic = "requests-untraced";
        var config = TestApp.EmbeddedConfig(topic);
        config["KafkaFast:RequestEvents:PropagateTraceContext"] = "false";
        await using var app = await TestApp.StartAsync(config);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/hello");
        request.Headers.Add("traceparent", $"00-{ActivityTraceId.CreateRandom().ToHexString()}-{ActivitySpanId.CreateRandom().ToHexString()}-01");
        (await app.Client.SendAsync(request)).EnsureSuccessStatusCode().Dispose();
        ReadBack.Event e = ReadBack.Events(app.Bootstrap, topic, expected: 1).Single();
        Assert.Empty(e.Headers);
        Assert.False(e.Has("traceparent"));
        Assert.Equal(32, e.Str("trace_id").Length); // the request's own ids stay in the event
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public async Task Writing_start_and_end_events_allocates_nothing_per_request(bool withTraceContext, bool inHeaders)
    {
        string topic = withTraceContext ? inHeaders ? "alloc-trace-headers" : "alloc-traced" : "alloc-plain";
        var config = TestApp.EmbeddedConfig(topic);
        await using var app = await TestApp.StartAsync(config, requestEvents: false);
        var options = new KafkaRequestEventOptions { Topic = topic, Phases = RequestEventPhases.Both, Key = RequestEventKey.ClientAddress, TraceContextInHeaders = inHeaders };
        options.IncludeHeaders.Add("X-Tenant");
        var middleware = new KafkaRequestEventsMiddleware(_ => Task.CompletedTask, options,
            app.App.Services.GetRequiredService<KafkaProducerRegistry>(), app.App.Services.GetRequiredService<KafkaFastMetrics>(), app.App.Services.GetRequiredService<ILoggerFactory>());

        var context = new DefaultHttpContext();
        context.Request.Method = "POST";
        context.Request.Scheme = "http";
        context.Request.Host = new HostString("gateway.local");
        context.Request.Path = "/api/orders/17";
        context.Request.Headers.UserAgent = "bench/1.0";
        context.Request.Headers["X-Tenant"] = "acme";
        context.Connection.RemoteIpAddress = IPAddress.Parse("10.1.2.3");
        _ = context.TraceIdentifier;
        using Activity? activity = withTraceContext ? new Activity("request").SetIdFormat(ActivityIdFormat.W3C).Start() : null;

        const int Warmup = 200, Measured = 2000;
        for (int i = 0; i < Warmup; i++)
        {
            await middleware.InvokeAsync(context);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < Measured; i++)
        {
            Task call = middleware.InvokeAsync(context);
            Assert.True(call.IsCompletedSuccessfully);
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        KafkaProducer producer = app.Producers.GetProducer();
        Assert.Equal(2 * (Warmup + Measured), producer.GetStatistics().Accepted); // every event was written...
        Assert.Equal(0, allocated);                                                 // ...without a managed allocation
        Assert.Equal(0, await producer.FlushAsync(TimeSpan.FromSeconds(30)));
        ReadBack.Event sample = ReadBack.Events(app.Bootstrap, topic, expected: 2 * (Warmup + Measured))[0];
        Assert.Equal("/api/orders/17", sample.Str("path"));
        Assert.Equal("10.1.2.3", sample.Key);
        Assert.Equal(withTraceContext, sample.Has("traceparent"));
        Assert.Equal(inHeaders, sample.Header("traceparent") is not null);
    }

    [Fact]
    public async Task The_send_duration_is_timed_on_one_event_in_64_per_request_thread()
    {
        string topic = "operation-sampled";
        await using var app = await TestApp.StartAsync(TestApp.EmbeddedConfig(topic), requestEvents: false);
        using var metrics = new MetricsCapture(app.App.Services);
        var middleware = new KafkaRequestEventsMiddleware(_ => Task.CompletedTask, new KafkaRequestEventOptions { Topic = topic },
            app.App.Services.GetRequiredService<KafkaProducerRegistry>(), app.App.Services.GetRequiredService<KafkaFastMetrics>(), app.App.Services.GetRequiredService<ILoggerFactory>());
        var context = new DefaultHttpContext();
        context.Request.Method = "GET";
        context.Request.Path = "/sampled";

        const int Events = 4 * KafkaFastMetrics.OperationSampleInterval;
        for (int i = 0; i < Events; i++)
        {
            Assert.True(middleware.InvokeAsync(context).IsCompletedSuccessfully); // all on this thread
        }

        List<MetricsCapture.Measurement> timed = metrics.Of("messaging.client.operation.duration").ToList();
        Assert.Equal(4, timed.Count);
        Assert.All(timed, m =>
        {
            Assert.Equal(topic, m.Tags["messaging.destination.name"]);
            Assert.Equal("send", m.Tags["messaging.operation.name"]);
            Assert.InRange(m.Value, 1e-9, 1);
        });
        Assert.Equal(Events, metrics.Observe("kafkafast.request_events.produced").Sum(m => m.Value));
    }

    [Fact]
    public async Task Producer_metrics_exist_without_the_request_event_middleware()
    {
        await using var app = await TestApp.StartAsync(TestApp.EmbeddedConfig("no-middleware"), requestEvents: false);
        using var metrics = new MetricsCapture(app.App.Services);
        KafkaProducer producer = app.Producers.GetProducer();
        Assert.True(producer.TryProduce(producer.GetTopic("no-middleware"), default, "v"u8));
        await TestApp.Eventually(() => Task.FromResult(metrics.Observe("kafkafast.producer.accepted") is [{ Value: 1 }]), "kafkafast.producer.accepted = 1");
    }
}

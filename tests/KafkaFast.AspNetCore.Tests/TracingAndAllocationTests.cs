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
    public async Task Each_event_gets_a_producer_span_child_of_the_request_and_its_context_travels_in_the_headers()
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
        Assert.True(KafkaTraceContext.TryExtract([new KafkaHeader(KafkaTraceContext.TraceParentHeader, e.Header("traceparent"))], out ActivityContext restored));
        Assert.Equal(send.SpanId, restored.SpanId); // a consumer continues from the producer span
        Assert.Equal(traceId, restored.TraceId);
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
        Assert.Equal(32, e.Str("trace_id").Length); // still in the event body
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Writing_start_and_end_events_allocates_nothing_per_request(bool withTraceContext)
    {
        string topic = withTraceContext ? "alloc-traced" : "alloc-plain";
        var config = TestApp.EmbeddedConfig(topic);
        await using var app = await TestApp.StartAsync(config, requestEvents: false);
        var options = new KafkaRequestEventOptions { Topic = topic, Phases = RequestEventPhases.Both, DeliveryLatencySampleInterval = 0, Key = RequestEventKey.ClientAddress };
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
        Assert.Equal(withTraceContext, sample.Header("traceparent") is not null);
    }
}

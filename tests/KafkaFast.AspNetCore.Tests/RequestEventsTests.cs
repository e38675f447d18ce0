using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using KafkaFast.AspNetCore.Diagnostics;
using KafkaFast.AspNetCore.Tests.Support;
using KafkaFast.Mock;
using KafkaFast.Producer;
using Microsoft.Extensions.DependencyInjection;

namespace KafkaFast.AspNetCore.Tests;

/// <summary>The request-event middleware on a real Kestrel server; events read back from the embedded cluster and checked field by field.</summary>
public sealed class RequestEventsTests
{
    [Fact]
    public async Task An_event_without_a_key_has_a_null_key_not_an_empty_one()
    {
        string topic = "requests-null-key";
        await using var app = await TestApp.StartAsync(TestApp.EmbeddedConfig(topic), configureEvents: o =>
            o.KeySelector = c => c.Request.Headers.TryGetValue("X-Tenant", out var tenant) ? tenant.ToString() : null);

        using (var keyed = new HttpRequestMessage(HttpMethod.Get, "/hello"))
        {
            keyed.Headers.Add("X-Tenant", "acme");
            using HttpResponseMessage response = await app.Client.SendAsync(keyed);
            Assert.True(response.IsSuccessStatusCode);
        }

        using (HttpResponseMessage response = await app.Client.GetAsync("/hello"))
        {
            Assert.True(response.IsSuccessStatusCode);
        }

        List<ReadBack.Event> events = ReadBack.Events(app.Bootstrap, topic, expected: 2);
        ReadBack.Event withKey = Assert.Single(events, e => !e.KeyIsNull);
        ReadBack.Event withoutKey = Assert.Single(events, e => e.KeyIsNull);
        Assert.Equal("acme", withKey.Key);
        Assert.Equal(string.Empty, withoutKey.Key); // Kafka tells null from empty; "no key" must be null, never ""
    }

    /// <summary>The event's JSON escapes what needs it and writes the rest as UTF-8: a parser reads back exactly what the request carried.</summary>
    [Fact]
    public async Task Quotes_backslashes_markup_and_non_ascii_text_read_back_exactly()
    {
        string topic = "requests-odd-text";
        var config = TestApp.EmbeddedConfig(topic);
        config["KafkaFast:RequestEvents:IncludeQuery"] = "true";
        config["KafkaFast:RequestEvents:IncludeHeaders:0"] = "X-Tenant";
        await using var app = await TestApp.StartAsync(config);

        const string Tenant = "a\"b\\c <script>&amp; +'`";
        const string UserAgent = "Mozilla/5.0 (X11; \"quoted\"; back\\slash) <b>bold</b> & more";
        using (var request = new HttpRequestMessage(HttpMethod.Get, "/no-such/%C3%BCn%C3%AF%22c%E2%82%ACode%F0%9F%98%80?x=%22&y=%3Cb%3E"))
        {
            request.Headers.TryAddWithoutValidation("X-Tenant", Tenant);
            request.Headers.TryAddWithoutValidation("User-Agent", UserAgent);
            using HttpResponseMessage response = await app.Client.SendAsync(request);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }

        ReadBack.Event e = Assert.Single(ReadBack.Events(app.Bootstrap, topic, expected: 1));
        Assert.Equal("/no-such/ünï\"c€ode😀", e.Str("path"));
        Assert.Equal("?x=%22&y=%3Cb%3E", e.Str("query"));
        Assert.Equal(UserAgent, e.Str("user_agent"));
        Assert.Equal(Tenant, e.Json.GetProperty("headers").GetProperty("x-tenant").GetString());
        Assert.Equal(404, e.Json.GetProperty("status").GetInt32());
        Assert.False(e.Json.TryGetProperty("route", out _)); // no endpoint matched
    }

    [Fact]
    public async Task End_event_carries_every_field_of_the_request()
    {
        string topic = "requests-fields";
        var config = TestApp.EmbeddedConfig(topic);
        config["KafkaFast:RequestEvents:IncludeQuery"] = "true";
        config["KafkaFast:RequestEvents:IncludeHeaders:0"] = "X-Tenant";
        config["KafkaFast:RequestEvents:IncludeHeaders:1"] = "Authorization";
        config["KafkaFast:RequestEvents:IncludeHeaders:2"] = "X-Absent";
        await using var app = await TestApp.StartAsync(config, configureEvents: o =>
        {
            o.KeySelector = c => c.Request.Headers["X-Tenant"].ToString();
            o.WriteFields = (json, c, phase) => json.WriteString("tenant_upper", c.Request.Headers["X-Tenant"].ToString().ToUpperInvariant());
        });

        var traceId = ActivityTraceId.CreateRandom();
        var parentSpan = ActivitySpanId.CreateRandom();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/echo/42?color=blue&size=9") { Content = new StringContent("payload-of-17-byt", Encoding.UTF8) };
        request.Headers.UserAgent.ParseAdd("kafkafast-test/1.0");
        request.Headers.Add("X-Tenant", "acme");
        request.Headers.Add("Authorization", "Bearer do-not-log-me");
        request.Headers.Add("traceparent", $"00-{traceId.ToHexString()}-{parentSpan.ToHexString()}-01");
        DateTime before = DateTime.UtcNow;
        using HttpResponseMessage response = await app.Client.SendAsync(request);
        DateTime after = DateTime.UtcNow;
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("42:payload-of-17-byt", await response.Content.ReadAsStringAsync());

        ReadBack.Event e = ReadBack.Events(app.Bootstrap, topic, expected: 1).Single();
        Assert.Equal("request.end", e.Str("event"));
        Assert.False(string.IsNullOrEmpty(e.Str("id")));
        Assert.Equal("POST", e.Str("method"));
        Assert.Equal("http", e.Str("scheme"));
        Assert.Equal(app.Client.BaseAddress!.Authority, e.Str("host"));
        Assert.Equal("/echo/42", e.Str("path"));
        Assert.Equal("?color=blue&size=9", e.Str("query"));
        Assert.Equal("/echo/{id}", e.Str("route"));
        Assert.Equal("HTTP/1.1", e.Str("protocol"));
        Assert.Equal(201, e.Json.GetProperty("status").GetInt32());
        Assert.InRange(e.Json.GetProperty("duration_ms").GetDouble(), 0.0, (after - before).TotalMilliseconds + 1);
        Assert.Equal(17, e.Json.GetProperty("request_bytes").GetInt64());
        Assert.Equal(Encoding.UTF8.GetByteCount("42:payload-of-17-byt"), e.Json.GetProperty("response_bytes").GetInt64());
        Assert.Equal("127.0.0.1", e.Str("client"));
        Assert.Equal("kafkafast-test/1.0", e.Str("user_agent"));
        JsonElement headers = e.Json.GetProperty("headers");
        Assert.Equal("acme", headers.GetProperty("x-tenant").GetString());
        Assert.Equal("***", headers.GetProperty("authorization").GetString());
        Assert.False(headers.TryGetProperty("x-absent", out _));
        Assert.Equal(traceId.ToHexString(), e.Str("trace_id"));
        Assert.Equal(16, e.Str("span_id").Length);
        Assert.NotEqual(parentSpan.ToHexString(), e.Str("span_id")); // the server's request span, child of the client's
        DateTime start = e.Json.GetProperty("start").GetDateTime();
        DateTime ts = e.Json.GetProperty("ts").GetDateTime();
        Assert.InRange(start, before.AddSeconds(-1), after);
        Assert.InRange(ts, start, after.AddSeconds(1));
        Assert.Equal("ACME", e.Str("tenant_upper"));
        Assert.False(e.Has("error"));
        Assert.False(e.Has("aborted"));
        Assert.Equal("acme", e.Key);

        // The trace context travels with the event (its "traceparent" field), and a consumer can restore it.
        Assert.Equal($"00-{traceId.ToHexString()}-{e.Str("span_id")}-01", e.Str("traceparent"));
        Assert.True(KafkaTraceContext.TryExtractFromEvent(e.Value, out ActivityContext restored));
        Assert.Equal(traceId, restored.TraceId);
        Assert.Equal(e.Str("span_id"), restored.SpanId.ToHexString());
        Assert.True(restored.IsRemote);
        Assert.Empty(e.Headers); // Kafka headers only with TraceContextInHeaders: they take librdkafka's one-message-per-call path
        Assert.DoesNotContain("do-not-log-me", Encoding.UTF8.GetString(JsonSerializer.SerializeToUtf8Bytes(e.Json)));
    }

    [Fact]
    public async Task Start_and_end_events_correlate_by_id_and_trace()
    {
        string topic = "requests-both";
        var config = TestApp.EmbeddedConfig(topic);
        config["KafkaFast:RequestEvents:Phases"] = "Both";
        await using var app = await TestApp.StartAsync(config);

        const int Requests = 30;
        await Task.WhenAll(Enumerable.Range(0, Requests).Select(async i =>
        {
            using HttpResponseMessage response = i % 2 == 0
                ? await app.Client.GetAsync($"/hello?i={i}")
                : await app.Client.PostAsync($"/echo/{i}", new StringContent("x"));
            Assert.True(response.IsSuccessStatusCode);
        }));

        List<ReadBack.Event> events = ReadBack.Events(app.Bootstrap, topic, expected: 2 * Requests);
        var byId = events.GroupBy(e => e.Str("id")).ToList();
        Assert.Equal(Requests, byId.Count);
        foreach (var pair in byId)
        {
            ReadBack.Event start = Assert.Single(pair, e => e.Str("event") == "request.start");
            ReadBack.Event end = Assert.Single(pair, e => e.Str("event") == "request.end");
            Assert.Equal(start.Str("trace_id"), end.Str("trace_id"));
            Assert.Equal(start.Str("span_id"), end.Str("span_id"));
            Assert.Equal(start.Str("path"), end.Str("path"));
            Assert.Equal(start.Str("method"), end.Str("method"));
            Assert.Equal(start.Json.GetProperty("ts").GetDateTime(), end.Json.GetProperty("start").GetDateTime());
            Assert.False(start.Has("status"));
            Assert.False(start.Has("duration_ms"));
            Assert.True(end.Json.GetProperty("ts").GetDateTime() >= start.Json.GetProperty("ts").GetDateTime());
            Assert.Equal(start.Str("path").StartsWith("/echo/", StringComparison.Ordinal) ? 201 : 200, end.Json.GetProperty("status").GetInt32());
        }
    }

    [Fact]
    public async Task Sampling_follows_the_trace_id_so_start_and_end_go_together()
    {
        string topic = "requests-sampled";
        var config = TestApp.EmbeddedConfig(topic);
        config["KafkaFast:RequestEvents:SamplingRatio"] = "0.5";
        config["KafkaFast:RequestEvents:Phases"] = "Both";
        await using var app = await TestApp.StartAsync(config);

        // Ratio 0.5 keeps trace ids whose first 64 bits are below 2^63: those starting with 0-7, never those with 8-f.
        var kept = new HashSet<string>();
        for (int i = 0; i < 40; i++)
        {
            string prefix = i % 2 == 0 ? "0" : "f";
            string traceId = prefix + ActivityTraceId.CreateRandom().ToHexString()[1..];
            if (prefix == "0")
            {
                kept.Add(traceId);
            }

            using var request = new HttpRequestMessage(HttpMethod.Get, "/hello");
            request.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom().ToHexString()}-01");
            using HttpResponseMessage response = await app.Client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        List<ReadBack.Event> events = ReadBack.Events(app.Bootstrap, topic, expected: 2 * kept.Count);
        Assert.Equal(kept.OrderBy(t => t), events.Select(e => e.Str("trace_id")).Distinct().OrderBy(t => t));
        Assert.All(events.GroupBy(e => e.Str("trace_id")), g => Assert.Equal(["request.end", "request.start"], g.Select(e => e.Str("event")).Order()));
    }

    [Fact]
    public async Task Filter_and_excluded_paths_leave_only_the_wanted_requests()
    {
        string topic = "requests-filtered";
        var config = TestApp.EmbeddedConfig(topic);
        config["KafkaFast:RequestEvents:ExcludePaths:0"] = "/health";
        await using var app = await TestApp.StartAsync(config, configureEvents: o => o.Filter = c => !c.Request.Headers.ContainsKey("X-Skip"));

        for (int i = 0; i < 5; i++)
        {
            (await app.Client.GetAsync("/hello")).Dispose();
        }

        for (int i = 0; i < 3; i++)
        {
            using var skipped = new HttpRequestMessage(HttpMethod.Get, "/hello");
            skipped.Headers.Add("X-Skip", "1");
            (await app.Client.SendAsync(skipped)).Dispose();
        }

        (await app.Client.GetAsync("/health")).Dispose();
        (await app.Client.GetAsync("/HEALTH/live")).Dispose(); // excluded: same segments, any case
        (await app.Client.GetAsync("/healthz")).Dispose();     // not excluded: another segment (404)

        List<ReadBack.Event> events = ReadBack.Events(app.Bootstrap, topic, expected: 6);
        Assert.Equal(5, events.Count(e => e.Str("path") == "/hello"));
        ReadBack.Event notFound = Assert.Single(events, e => e.Str("path") == "/healthz");
        Assert.Equal(404, notFound.Json.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task A_failing_endpoint_is_recorded_with_its_error_and_a_failing_hook_costs_only_the_event()
    {
        string topic = "requests-errors";
        await using var app = await TestApp.StartAsync(TestApp.EmbeddedConfig(topic), configureEvents: o =>
            o.WriteFields = (json, c, phase) =>
            {
                if (c.Request.Query.ContainsKey("breakhook"))
                {
                    throw new InvalidOperationException("hook failed on purpose");
                }

                if (c.Request.Query.ContainsKey("openhook"))
                {
                    json.WriteStartObject("left_open"); // never closed: the event would not be JSON
                }
                else if (c.Request.Query.ContainsKey("fieldhook"))
                {
                    json.WriteNumber("from_hook", 7);
                }
            });
        using var metrics = new MetricsCapture(app.App.Services);

        using (HttpResponseMessage failed = await app.Client.GetAsync("/fail"))
        {
            Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);
        }

        using (HttpResponseMessage hooked = await app.Client.GetAsync("/hello?breakhook=1"))
        {
            Assert.Equal(HttpStatusCode.OK, hooked.StatusCode);
            Assert.Equal("hello", await hooked.Content.ReadAsStringAsync());
        }

        using (HttpResponseMessage open = await app.Client.GetAsync("/hello?openhook=1"))
        {
            Assert.Equal(HttpStatusCode.OK, open.StatusCode);
        }

        using (HttpResponseMessage fields = await app.Client.GetAsync("/hello?fieldhook=1"))
        {
            Assert.Equal(HttpStatusCode.OK, fields.StatusCode);
        }

        List<ReadBack.Event> events = ReadBack.Events(app.Bootstrap, topic, expected: 2);
        Assert.Equal(2, events.Count);
        ReadBack.Event e = Assert.Single(events, x => x.Str("path") == "/fail");
        Assert.Equal(500, e.Json.GetProperty("status").GetInt32());
        Assert.Equal("System.InvalidOperationException", e.Str("error"));
        Assert.False(e.Json.TryGetProperty("from_hook", out _));
        ReadBack.Event withField = Assert.Single(events, x => x.Str("path") == "/hello");
        Assert.Equal(7, withField.Json.GetProperty("from_hook").GetInt32());

        List<MetricsCapture.Measurement> drops = metrics.Of("kafkafast.request_events.dropped").ToList();
        Assert.Equal(2, drops.Sum(d => d.Value)); // the throwing hook and the one that left an object open
        Assert.All(drops, d => Assert.Equal("error", d.Tags["kafkafast.reason"]));
        Assert.Contains(app.Logs.Where("RequestEventFailed"), l => l.Exception!.Contains("hook failed on purpose", StringComparison.Ordinal));
        Assert.Contains(app.Logs.Where("RequestEventFailed"), l => l.Exception!.Contains("left an object or array open", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_full_budget_drops_events_counted_by_reason_and_never_fails_a_request()
    {
        string topic = "requests-budget";
        var config = TestApp.EmbeddedConfig(topic);
        config["KafkaFast:Producers:Default:MessageMaxBytes"] = "1000";
        config["KafkaFast:Producers:Default:MemoryBudgetBytes"] = "262144"; // the minimum: two 128 KiB slabs
        config["KafkaFast:Producers:Default:CloseTimeout"] = "00:00:02";
        config["KafkaFast:Producers:Default:Health:DegradedBudgetRatio"] = "0.5";
        await using var app = await TestApp.StartAsync(config, configureEvents: o =>
            o.WriteFields = (json, c, phase) => json.WriteString("padding", new string('p', 400)));
        using var metrics = new MetricsCapture(app.App.Services);
        KafkaMockCluster cluster = app.Producers.EmbeddedCluster!;
        for (int b = 1; b <= 3; b++)
        {
            cluster.SetBrokerDown(b); // nothing is delivered: the budget only fills
        }

        const int Requests = 800;
        for (int i = 0; i < Requests; i++)
        {
            using HttpResponseMessage response = await app.Client.GetAsync("/hello");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var drops = metrics.Of("kafkafast.request_events.dropped").ToList();
        double produced = metrics.Observe("kafkafast.request_events.produced").Sum(m => m.Value);
        Assert.All(drops, d => Assert.Equal("budget_full", d.Tags["kafkafast.reason"]));
        Assert.True(drops.Count > 0, "the budget never filled");
        Assert.Equal(Requests, produced + drops.Sum(d => d.Value));
        Assert.Equal((long)produced, app.Producers.GetProducer().GetStatistics().Accepted);
        Assert.Contains(app.Logs.Where("RequestEventsDropped"), l => l.Message.Contains("budget_full", StringComparison.Ordinal));

        var health = await app.App.Services.GetRequiredService<Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckService>().CheckHealthAsync();
        Assert.Equal(Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Degraded, health.Status);
        Assert.Contains("memory budget", health.Entries["kafkafast"].Description, StringComparison.Ordinal);

        for (int b = 1; b <= 3; b++)
        {
            cluster.SetBrokerUp(b);
        }
    }

    [Fact]
    public async Task Metrics_count_events_sends_and_deliveries_under_OpenTelemetry_names()
    {
        string topic = "requests-metrics";
        var config = TestApp.EmbeddedConfig(topic);
        config["KafkaFast:Producers:Default:DeliveryReportSampleInterval"] = "1"; // every delivery report timed
        await using var app = await TestApp.StartAsync(config);
        using var metrics = new MetricsCapture(app.App.Services);

        const int Requests = 5;
        for (int i = 0; i < Requests; i++)
        {
            (await app.Client.GetAsync("/hello")).Dispose();
        }

        ReadBack.Events(app.Bootstrap, topic, expected: Requests);

        // Delivery latency: from the worker's delivery reports (every one here), no produce awaited on the request path.
        await TestApp.Eventually(() => Task.FromResult(metrics.Of("kafkafast.producer.delivery.duration").Count() == Requests), "5 timed deliveries");
        Assert.All(metrics.Of("kafkafast.producer.delivery.duration"), m =>
        {
            Assert.False(m.Tags.ContainsKey("error.type"));
            Assert.Equal(topic, m.Tags["messaging.destination.name"]);
            Assert.Equal("Default", m.Tags["kafkafast.producer.name"]);
            Assert.InRange(m.Value, 1e-7, 30);
        });
        MetricsCapture.Measurement producedEvents = Assert.Single(metrics.Observe("kafkafast.request_events.produced"));
        Assert.Equal(Requests, producedEvents.Value);
        Assert.Equal("end", producedEvents.Tags["kafkafast.request_event.phase"]);
        Assert.Equal(topic, producedEvents.Tags["messaging.destination.name"]);

        MetricsCapture.Measurement sent = Assert.Single(metrics.Observe("messaging.client.sent.messages"));
        Assert.Equal(Requests, sent.Value);
        Assert.Equal("Default", sent.Tags["kafkafast.producer.name"]);
        Assert.Equal("kafkafast", sent.Tags["messaging.client.id"]);
        Assert.Equal(Requests, Assert.Single(metrics.Observe("kafkafast.producer.accepted")).Value);
        Assert.Equal(0, Assert.Single(metrics.Observe("kafkafast.producer.in_flight")).Value);
        Assert.Empty(metrics.Observe("kafkafast.producer.failed"));
        Assert.Equal(app.Producers.GetProducer().GetStatistics().BudgetBytes, Assert.Single(metrics.Observe("kafkafast.producer.budget.limit")).Value);
        Assert.All(metrics.Observe("kafkafast.producer.rejected"), m => Assert.Equal(0, m.Value));

        // librdkafka statistics (every 100 ms here): broker RTT per broker over windows that saw requests, and which brokers are up.
        List<MetricsCapture.Measurement> rtt = [];
        await TestApp.Eventually(async () =>
        {
            (await app.Client.GetAsync("/hello")).Dispose(); // traffic, so that a statistics window has round trips
            rtt = metrics.Observe("kafkafast.librdkafka.broker.rtt");
            return rtt.Count > 0;
        }, "broker RTT from librdkafka statistics");
        Assert.All(rtt, m => Assert.Contains((string)m.Tags["kafkafast.statistic"]!, new[] { "avg", "p50", "p99", "max" }));
        Assert.All(rtt, m => Assert.StartsWith("127.0.0.1:", (string)m.Tags["server.address"]!, StringComparison.Ordinal));
        Assert.Contains(metrics.Observe("kafkafast.librdkafka.broker.up"), m => m.Value == 1);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Body_sizes_are_counted_for_chunked_bodies_when_asked(bool count)
    {
        string topic = count ? "requests-counted" : "requests-declared";
        var config = TestApp.EmbeddedConfig(topic);
        config["KafkaFast:RequestEvents:CountBodyBytes"] = count ? "true" : "false";
        await using var app = await TestApp.StartAsync(config);

        // A request body of unknown length (chunked) and a chunked response.
        var body = new StreamContent(new NonSeekableStream(new byte[3000]));
        using HttpResponseMessage response = await app.Client.PostAsync("/chunked", body);
        string text = await response.Content.ReadAsStringAsync();
        Assert.StartsWith("read 3000 bytes;", text, StringComparison.Ordinal);
        Assert.True(response.Headers.TransferEncodingChunked);
        int responseBytes = Encoding.UTF8.GetByteCount("read 3000 bytes;") + 1000 + 500;

        ReadBack.Event e = ReadBack.Events(app.Bootstrap, topic, expected: 1).Single();
        if (count)
        {
            Assert.Equal(3000, e.Json.GetProperty("request_bytes").GetInt64());
            Assert.Equal(responseBytes, e.Json.GetProperty("response_bytes").GetInt64());
        }
        else
        {
            Assert.False(e.Has("request_bytes"));  // nothing declared, nothing counted
            Assert.False(e.Has("response_bytes"));
        }
    }

    [Fact]
    public async Task With_a_budget_wait_configured_a_full_budget_delays_the_event_instead_of_dropping_it()
    {
        string topic = "requests-wait";
        var config = TestApp.EmbeddedConfig(topic);
        config["KafkaFast:Producers:Default:MessageMaxBytes"] = "1000";
        config["KafkaFast:Producers:Default:MemoryBudgetBytes"] = "262144";
        config["KafkaFast:RequestEvents:BudgetFullWait"] = "00:00:10";
        await using var app = await TestApp.StartAsync(config);
        using var metrics = new MetricsCapture(app.App.Services);
        KafkaMockCluster cluster = app.Producers.EmbeddedCluster!;
        KafkaProducer producer = app.Producers.GetProducer();
        for (int b = 1; b <= 3; b++)
        {
            cluster.SetBrokerDown(b);
        }

        // Fill the budget while nothing can be delivered.
        KafkaTopic handle = producer.GetTopic(topic);
        byte[] filler = Encoding.UTF8.GetBytes($"{{\"filler\":\"{new string('f', 880)}\"}}");
        int filled = 0;
        while (producer.TryProduce(handle, default, filler))
        {
            filled++;
        }

        long refusedBefore = producer.GetStatistics().Rejected[ProduceRejectReason.BudgetFull];
        Task<HttpResponseMessage> waiting = app.Client.GetAsync("/hello?waited=1");
        await TestApp.Eventually(() => Task.FromResult(producer.GetStatistics().Rejected[ProduceRejectReason.BudgetFull] > refusedBefore), "the event to be refused once and wait");
        Assert.False(waiting.IsCompleted); // the request waits for budget space (its end event is not written yet)

        for (int b = 1; b <= 3; b++)
        {
            cluster.SetBrokerUp(b);
        }

        using (HttpResponseMessage response = await waiting.WaitAsync(TimeSpan.FromSeconds(30)))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        List<ReadBack.Event> events = ReadBack.Events(app.Bootstrap, topic, expected: filled + 1);
        ReadBack.Event waited = Assert.Single(events, e => e.Has("path"));
        Assert.Equal("/hello", waited.Str("path"));
        Assert.Empty(metrics.Of("kafkafast.request_events.dropped"));
        Assert.Equal(1, metrics.Observe("kafkafast.request_events.produced").Sum(m => m.Value));
    }

    [Fact]
    public async Task A_topic_selector_resolves_new_topics_in_the_background_without_making_requests_wait()
    {
        string topic = "requests-default";
        await using var app = await TestApp.StartAsync(TestApp.EmbeddedConfig(topic), configureEvents: o =>
            o.TopicSelector = c => c.Request.Query.TryGetValue("tenant", out var tenant) ? $"requests-{tenant}" : null);
        using var metrics = new MetricsCapture(app.App.Services);

        (await app.Client.GetAsync("/hello?tenant=zeta&n=1")).EnsureSuccessStatusCode().Dispose(); // unknown topic: dropped, resolution starts
        MetricsCapture.Measurement drop = Assert.Single(metrics.Of("kafkafast.request_events.dropped"));
        Assert.Equal("topic_unavailable", drop.Tags["kafkafast.reason"]);
        Assert.Equal("requests-zeta", drop.Tags["messaging.destination.name"]);
        await TestApp.Eventually(() => Task.FromResult(app.Logs.Where("TopicResolved").Any()), "requests-zeta resolved");

        (await app.Client.GetAsync("/hello?tenant=zeta&n=2")).EnsureSuccessStatusCode().Dispose();
        (await app.Client.GetAsync("/hello?n=3")).EnsureSuccessStatusCode().Dispose();
        Assert.Equal("/hello", ReadBack.Events(app.Bootstrap, "requests-zeta", expected: 1).Single().Str("path"));
        Assert.Single(ReadBack.Events(app.Bootstrap, topic, expected: 1));
        Assert.Single(metrics.Of("kafkafast.request_events.dropped"));
    }

    private sealed class NonSeekableStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }
}

using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using KafkaFast.AspNetCore;
using KafkaFast.Consumer;
using KafkaFast.Measurement;
using KafkaFast.Producer;
using KafkaFast.Tool.Gateway;
using Microsoft.Extensions.DependencyInjection;

namespace KafkaFast.Tool.Commands;

/// <summary>
/// kafkafast demo: in one process, the gateway (echo mode) with request events, an HTTP load against it, and the
/// events read back from Kafka; prints requests/s, events delivered vs requests, latency and CPU per event.
/// </summary>
internal static class DemoCommand
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    internal static Command Create(ToolConsole console)
    {
        var connection = new ConnectionOptions();
        var requests = new Option<int>("--requests", "-n") { Description = "HTTP requests to send with request events on", DefaultValueFactory = _ => 20000 };
        var concurrency = new Option<int>("--concurrency", "-c") { Description = "Requests in flight at once (keep-alive connections)", DefaultValueFactory = _ => 32 };
        var topic = new Option<string>("--topic", "-t") { Description = "The topic request events are written to", DefaultValueFactory = _ => "requests" };
        var noBaseline = new Option<bool>("--no-baseline") { Description = "Skip the baseline run with request events off (it shows the latency and CPU they add)" };
        var timeout = new Option<int>("--consume-timeout") { Description = "Seconds to wait for all events to be read back", DefaultValueFactory = _ => 30 };
        AddRange(requests, 1, 10_000_000);
        AddRange(concurrency, 1, 4096);
        AddRange(timeout, 1, 3600);
        topic.Validators.Add(r =>
        {
            if (string.IsNullOrWhiteSpace(r.GetValueOrDefault<string>()))
            {
                r.AddError("--topic must not be empty");
            }
        });

        var command = new Command("demo", "Gateway + request events + HTTP load + events read back, in one process: requests/s, events delivered, latency and CPU per event.");
        connection.AddTo(command);
        command.Options.Add(requests);
        command.Options.Add(concurrency);
        command.Options.Add(topic);
        command.Options.Add(noBaseline);
        command.Options.Add(timeout);
        command.SetAction(async (parsed, cancellationToken) =>
        {
            Dictionary<string, string> properties = connection.ParseProperties(parsed);
            var demo = new Demo(console, parsed.GetValue(requests), parsed.GetValue(concurrency), parsed.GetValue(topic)!,
                !parsed.GetValue(noBaseline), TimeSpan.FromSeconds(parsed.GetValue(timeout)));
            using ClusterConnection cluster = ClusterConnection.Open(parsed.GetValue(connection.Bootstrap), console);
            return await demo.RunAsync(cluster, properties, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    /// <summary>A range check that leaves unparsable values to the parser's own error (GetValueOrDefault would throw).</summary>
    private static void AddRange(Option<int> option, int min, int max)
    {
        option.Validators.Add(r =>
        {
            if (r.Tokens.Count > 0 && int.TryParse(r.Tokens[^1].Value, NumberStyles.Integer, Invariant, out int value) && (value < min || value > max))
            {
                r.AddError($"{option.Name} must be between {min} and {max}");
            }
        });
    }

    private sealed record LoadResult(int Requests, int Failed, TimeSpan Elapsed, TimeSpan Cpu, LatencyHistogram Latency)
    {
        internal double PerSecond => Requests / Elapsed.TotalSeconds;

        internal double CpuMicrosecondsPerRequest => Cpu.TotalMilliseconds * 1000 / Requests;
    }

    private sealed class Demo(ToolConsole console, int requests, int concurrency, string topic, bool baseline, TimeSpan consumeTimeout)
    {
        private readonly string _runId = Guid.NewGuid().ToString("N")[..12];

        internal async Task<int> RunAsync(ClusterConnection cluster, Dictionary<string, string> properties, CancellationToken cancellationToken)
        {
            cluster.Embedded?.SetGroupInitialRebalanceDelay(TimeSpan.Zero);
            cluster.EnsureTopic(topic, 6);

            await using GatewayHost gateway = GatewayHost.Create(new GatewaySettings
            {
                Urls = "http://127.0.0.1:0",
                BootstrapServers = cluster.BootstrapServers,
                Properties = properties,
                Topic = topic,
                Log = console.Error,

                // All the demo's requests come from one client address: unkeyed, the events spread over the partitions
                // (the embedded brokers keep about 5 MB per partition).
                Overrides = new Dictionary<string, string?> { ["KafkaFast:RequestEvents:Key"] = "None" },
            });
            if (!await GatewayCommand.TryStartAsync(gateway, console, cancellationToken).ConfigureAwait(false))
            {
                return 1;
            }

            KafkaProducer producer = gateway.Services.GetRequiredService<IKafkaProducerProvider>().GetProducer();
            if (producer.GetTopic(topic).IsPending)
            {
                // A gateway starts and buffers while Kafka is down (its topic is pending); the demo reads its events back, so it needs Kafka now.
                console.Error.WriteLine($"error: the gateway did not start: Kafka at {cluster.BootstrapServers} did not answer within the producer's MetadataTimeout (topic '{topic}' is pending)");
                return 1;
            }

            string address = gateway.Addresses[0];
            console.Error.WriteLine($"% gateway (echo mode) at {address}; request events to '{topic}' at {cluster.BootstrapServers}");

            using var handler = new SocketsHttpHandler
            {
                MaxConnectionsPerServer = concurrency,
                PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
                PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
                UseProxy = false,
                AutomaticDecompression = DecompressionMethods.None,
            };
            using var client = new HttpClient(handler) { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(30) };

            // Warm-up (JIT, connections) with request events off, not measured.
            gateway.EventsEnabled = false;
            int warmup = Math.Min(requests, 2000);
            console.Error.WriteLine($"% warm-up: {warmup} requests, request events off");
            await LoadAsync(client, "/warmup/", warmup, producer: null, cancellationToken).ConfigureAwait(false);

            LoadResult? without = null;
            if (baseline)
            {
                int count = Math.Max(1, requests / 2);
                console.Error.WriteLine($"% baseline: {count} requests at concurrency {concurrency}, request events off");
                without = await LoadAsync(client, $"/baseline/{_runId}/", count, producer: null, cancellationToken).ConfigureAwait(false);
            }

            gateway.EventsEnabled = true;
            console.Error.WriteLine($"% load: {requests} requests at concurrency {concurrency}, one event per request");
            LoadResult with = await LoadAsync(client, $"/demo/{_runId}/", requests, producer, cancellationToken).ConfigureAwait(false);
            ProducerStatistics produced = producer.GetStatistics();

            console.Error.WriteLine($"% reading the events back from '{topic}'");
            var consumed = Stopwatch.StartNew();
            int events = ConsumeEvents(cluster, properties, cancellationToken);
            TimeSpan consumeTime = consumed.Elapsed;

            await gateway.StopAsync().ConfigureAwait(false);
            PrintTable(with, without, produced, events, consumeTime);
            return events == requests && with.Failed == 0 ? 0 : 1;
        }

        private async Task<LoadResult> LoadAsync(HttpClient client, string prefix, int count, KafkaProducer? producer, CancellationToken cancellationToken)
        {
            long[] latencies = new long[count];
            int next = -1, failed = 0;
            var measurement = ProcessMeter.Start();
            long deliveredBefore = producer?.GetStatistics() is { } s ? s.Delivered + s.Failed : 0;

            async Task WorkerAsync()
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < count)
                {
                    long start = Stopwatch.GetTimestamp();
                    try
                    {
                        using HttpResponseMessage response = await client.GetAsync(prefix + i.ToString(Invariant), HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
                        if (!response.IsSuccessStatusCode)
                        {
                            Interlocked.Increment(ref failed);
                        }
                    }
                    catch (HttpRequestException)
                    {
                        Interlocked.Increment(ref failed);
                    }

                    latencies[i] = Stopwatch.GetTimestamp() - start;
                }
            }

            var workers = new Task[Math.Min(concurrency, count)];
            for (int w = 0; w < workers.Length; w++)
            {
                workers[w] = Task.Run(WorkerAsync, cancellationToken);
            }

            await Task.WhenAll(workers).ConfigureAwait(false);
            TimeSpan elapsed = measurement.Elapsed;

            // The events' cost includes delivering them: CPU is taken once the producer has settled every event.
            if (producer is not null)
            {
                var settle = Stopwatch.StartNew();
                while (settle.Elapsed < TimeSpan.FromSeconds(15))
                {
                    ProducerStatistics stats = producer.GetStatistics();
                    if (stats.Delivered + stats.Failed - deliveredBefore >= count || stats.Accepted == stats.Delivered + stats.Failed)
                    {
                        break;
                    }

                    await Task.Delay(5, cancellationToken).ConfigureAwait(false);
                }
            }

            TimeSpan cpu = measurement.Cpu;
            var histogram = new LatencyHistogram();
            foreach (long ticks in latencies)
            {
                histogram.RecordElapsedTicks(ticks);
            }

            return new LoadResult(count, failed, elapsed, cpu, histogram);
        }

        /// <summary>Reads the topic from the beginning with a fresh group; counts the distinct events of this run's load.</summary>
        private int ConsumeEvents(ClusterConnection cluster, Dictionary<string, string> properties, CancellationToken cancellationToken)
        {
            var options = new KafkaConsumerOptions
            {
                BootstrapServers = cluster.BootstrapServers,
                GroupId = $"kafkafast-demo-{_runId}",
                AutoOffsetReset = AutoOffsetReset.Earliest,
                CommitMode = CommitMode.Manual,
            };
            foreach ((string key, string value) in properties)
            {
                options.Properties[key] = value;
            }

            using var consumer = new KafkaConsumer(options);
            consumer.Subscribe(topic);
            bool[] seen = new bool[requests];
            int distinct = 0;
            byte[] prefix = Encoding.UTF8.GetBytes($"/demo/{_runId}/");
            var deadline = Stopwatch.StartNew();
            TimeSpan nextProgress = TimeSpan.FromSeconds(2);
            long messages = 0;
            while (distinct < requests && deadline.Elapsed < consumeTimeout && !cancellationToken.IsCancellationRequested)
            {
                using ConsumedBatch batch = consumer.ConsumeBatch(5000, TimeSpan.FromMilliseconds(200));
                messages += batch.Count;
                if (deadline.Elapsed >= nextProgress)
                {
                    console.Error.WriteLine($"% read {messages} messages, {distinct} of this run's {requests} events");
                    nextProgress += TimeSpan.FromSeconds(2);
                }

                for (int m = 0; m < batch.Count; m++)
                {
                    int index = RequestIndex(batch[m].Value, prefix);
                    if (index >= 0 && index < requests && !seen[index])
                    {
                        seen[index] = true;
                        distinct++;
                    }
                }
            }

            return distinct;
        }

        /// <summary>The request number in an event's "path" (/demo/{run}/{i}), or -1 if the event is not this run's.</summary>
        private static int RequestIndex(ReadOnlySpan<byte> json, byte[] prefix)
        {
            var reader = new Utf8JsonReader(json);
            try
            {
                while (reader.Read())
                {
                    if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 1 && reader.ValueTextEquals("path"u8))
                    {
                        reader.Read();
                        string? path = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                        string expected = Encoding.UTF8.GetString(prefix);
                        return path is not null && path.StartsWith(expected, StringComparison.Ordinal)
                            && int.TryParse(path.AsSpan(expected.Length), NumberStyles.None, Invariant, out int i) ? i : -1;
                    }
                }
            }
            catch (JsonException)
            {
            }

            return -1;
        }

        private void PrintTable(LoadResult with, LoadResult? without, ProducerStatistics produced, int events, TimeSpan consumeTime)
        {
            TextWriter o = console.Out;
            string Ms(double microseconds) => (microseconds / 1000).ToString("0.00", Invariant);
            o.WriteLine(string.Create(Invariant, $"{"",-26}{"requests",10}{"req/s",10}{"p50 ms",9}{"p99 ms",9}{"CPU µs/req",12}"));
            o.WriteLine(string.Create(Invariant, $"{"with request events",-26}{with.Requests,10}{with.PerSecond,10:0}{Ms(with.Latency.ValueAtPercentile(50) / 1e3),9}{Ms(with.Latency.ValueAtPercentile(99) / 1e3),9}{with.CpuMicrosecondsPerRequest,12:0.0}"));
            if (without is not null)
            {
                o.WriteLine(string.Create(Invariant, $"{"without (baseline)",-26}{without.Requests,10}{without.PerSecond,10:0}{Ms(without.Latency.ValueAtPercentile(50) / 1e3),9}{Ms(without.Latency.ValueAtPercentile(99) / 1e3),9}{without.CpuMicrosecondsPerRequest,12:0.0}"));
                double p50 = with.Latency.ValueAtPercentile(50) / 1e3 - without.Latency.ValueAtPercentile(50) / 1e3;
                double p99 = with.Latency.ValueAtPercentile(99) / 1e3 - without.Latency.ValueAtPercentile(99) / 1e3;
                double cpu = with.CpuMicrosecondsPerRequest - without.CpuMicrosecondsPerRequest;
                o.WriteLine(string.Create(Invariant, $"{"added per event",-26}{"",10}{"",10}{(p50 >= 0 ? "+" : "") + Ms(p50),9}{(p99 >= 0 ? "+" : "") + Ms(p99),9}{cpu,12:+0.0;-0.0}"));
            }

            o.WriteLine();
            o.WriteLine(string.Create(Invariant, $"events delivered: {events} of {with.Requests} requests{(events == with.Requests ? " (all)" : $" ({with.Requests - events} MISSING)")}; read back in {consumeTime.TotalSeconds:0.0} s"));
            o.WriteLine(string.Create(Invariant, $"producer: {produced.Accepted} accepted, {produced.Delivered} delivered, {produced.Failed} failed; failed HTTP requests: {with.Failed}"));
            o.WriteLine("CPU is the whole process (HTTP client, gateway, producer, embedded brokers) during the load, per request.");
            o.WriteLine(LibrdkafkaReport.Line());
        }
    }
}

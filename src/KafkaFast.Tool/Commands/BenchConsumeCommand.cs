using System.CommandLine;
using System.Globalization;
using KafkaFast.Consumer;
using KafkaFast.Measurement;
using KafkaFast.Producer;

namespace KafkaFast.Tool.Commands;

/// <summary>kafkafast bench consume: fill a topic (unmeasured), then read it back with batch consume and measure.</summary>
internal static class BenchConsumeCommand
{
    internal static Command Create(ToolConsole console)
    {
        var connection = new ConnectionOptions();
        var topic = new Option<string>("--topic", "-t") { Description = "Topic (filled first unless --no-fill)", DefaultValueFactory = _ => "kafkafast-bench-consume" };
        var count = new Option<long>("--messages", "-n") { Description = "Messages to consume", DefaultValueFactory = _ => 1_000_000 };
        var size = new Option<int>("--size", "-s") { Description = "Value size in bytes when filling", DefaultValueFactory = _ => 100 };
        var batch = new Option<int>("--batch") { Description = "Messages per ConsumeBatch call at most", DefaultValueFactory = _ => 1000 };
        var partitions = new Option<int>("--partitions") { Description = "Partitions of the topic (embedded cluster only)", DefaultValueFactory = _ => 16 };
        var noFill = new Option<bool>("--no-fill") { Description = "Consume what the topic already holds (from the beginning)" };
        count.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<long>() < 1)
            {
                r.AddError("--messages must be at least 1");
            }
        });
        foreach ((Option<int> option, int min, int max) in new[] { (size, 0, 1_000_000), (batch, 1, KafkaConsumer.MaxBatchSize), (partitions, 1, 10_000) })
        {
            option.Validators.Add(r =>
            {
                int value = r.GetValueOrDefault<int>();
                if (value < min || value > max)
                {
                    r.AddError($"{option.Name} must be between {min} and {max}");
                }
            });
        }

        var command = new Command("consume", "Fill a topic, then consume it with ConsumeBatch; report rate, CPU/message, allocation/message, call latency.");
        connection.AddTo(command);
        foreach (Option option in new Option[] { topic, count, size, batch, partitions, noFill })
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parsed, cancellationToken) =>
        {
            Dictionary<string, string> properties = connection.ParseProperties(parsed);
            using ClusterConnection cluster = ClusterConnection.Open(parsed.GetValue(connection.Bootstrap), console);
            string topicName = parsed.GetValue(topic)!;
            long n = parsed.GetValue(count);
            cluster.EnsureTopic(topicName, parsed.GetValue(partitions));
            cluster.Embedded?.SetGroupInitialRebalanceDelay(TimeSpan.Zero);
            if (!parsed.GetValue(noFill))
            {
                await FillAsync(cluster.BootstrapServers, properties, topicName, n, parsed.GetValue(size), console).ConfigureAwait(false);
            }

            var options = new KafkaConsumerOptions
            {
                BootstrapServers = cluster.BootstrapServers,
                GroupId = $"kafkafast-bench-{Guid.NewGuid():N}",
                AutoOffsetReset = AutoOffsetReset.Earliest,
                CommitMode = CommitMode.Manual,
            };
            foreach ((string key, string value) in properties)
            {
                options.Properties[key] = value;
            }

            return Measure(options, topicName, n, parsed.GetValue(batch), console, cancellationToken);
        });
        return command;
    }

    private static async Task FillAsync(string bootstrap, Dictionary<string, string> properties, string topic, long count, int size, ToolConsole console)
    {
        var options = new KafkaProducerOptions { BootstrapServers = bootstrap };
        foreach ((string key, string value) in properties)
        {
            options.Properties[key] = value;
        }

        await using var producer = new KafkaProducer(options);
        KafkaTopic target = producer.GetTopic(topic);
        byte[] payload = new byte[size];
        console.Error.WriteLine($"% filling {topic} with {count} messages of {size} bytes (not measured)");
        for (long i = 0; i < count; i++)
        {
            while (!producer.TryProduce(target, BitConverter.GetBytes(i), payload))
            {
                await producer.FlushAsync(TimeSpan.FromMilliseconds(50)).ConfigureAwait(false);
            }
        }

        if (await producer.FlushAsync(TimeSpan.FromMinutes(2)).ConfigureAwait(false) != 0)
        {
            throw new KafkaException(KafkaErrorCode.TimedOut, "Could not fill the topic: messages still in flight after 2 minutes.");
        }
    }

    private static int Measure(KafkaConsumerOptions options, string topic, long count, int batchSize, ToolConsole console, CancellationToken cancellationToken)
    {
        using var consumer = new KafkaConsumer(options);
        consumer.Subscribe(topic);
        var latency = new LatencyHistogram();
        long consumed = 0, bytes = 0;
        ProcessMeter? measurement = null;
        var idleSince = DateTime.UtcNow;
        while (consumed < count && !cancellationToken.IsCancellationRequested)
        {
            long started = System.Diagnostics.Stopwatch.GetTimestamp();
            using ConsumedBatch batch = consumer.ConsumeBatch(batchSize, TimeSpan.FromMilliseconds(500));
            if (batch.Count == 0)
            {
                if (DateTime.UtcNow - idleSince > TimeSpan.FromSeconds(30))
                {
                    console.Error.WriteLine($"% only {consumed} of {count} messages arrived");
                    break;
                }

                continue;
            }

            idleSince = DateTime.UtcNow;
            measurement ??= ProcessMeter.Start(); // from the first batch: group join is not consuming
            latency.RecordTicks(started, System.Diagnostics.Stopwatch.GetTimestamp());
            foreach (ConsumedMessage message in batch)
            {
                bytes += message.Value.Length; // touch every message, as a real consumer would
            }

            consumed += batch.Count;
        }

        if (measurement is null)
        {
            console.Error.WriteLine("% nothing was consumed");
            return 1;
        }

        TimeSpan cpu = measurement.Cpu, wall = measurement.Elapsed;
        var o = console.Out;
        var inv = CultureInfo.InvariantCulture;
        GcCounts gc = measurement.Gc;
        LatencySummary calls = latency.Summarize();
        o.WriteLine("| metric | value |");
        o.WriteLine("| --- | ---: |");
        o.WriteLine(string.Create(inv, $"| messages consumed | {consumed:N0} ({bytes:N0} value bytes) |"));
        o.WriteLine(string.Create(inv, $"| wall time | {wall.TotalSeconds:F2} s |"));
        o.WriteLine(string.Create(inv, $"| messages per second | {consumed / wall.TotalSeconds:N0} |"));
        o.WriteLine(string.Create(inv, $"| CPU per message (process) | {cpu.TotalNanoseconds / consumed:N0} ns |"));
        o.WriteLine(string.Create(inv, $"| managed bytes allocated per message | {gc.AllocatedBytes / (double)consumed:F2} |"));
        o.WriteLine(string.Create(inv, $"| GCs gen0/1/2 | {gc.Collections} |"));
        o.WriteLine(string.Create(inv, $"| batch call latency p50 / p99 / max | {calls.P50 / 1e3:F1} / {calls.P99 / 1e3:F1} / {calls.Max / 1e3:F1} µs |"));
        consumer.Close();
        return consumed >= count ? 0 : 1;
    }
}

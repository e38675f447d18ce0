using System.CommandLine;
using System.Globalization;
using KafkaFast.Consumer;
using KafkaFast.Measurement;
using KafkaFast.Mock;
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
        var partitions = new Option<int>("--partitions")
        {
            Description = "Partitions of the topic (embedded cluster only). Default: 16, or as many as the messages need (each embedded partition keeps 5 MiB)",
            DefaultValueFactory = _ => 0,
        };
        var noFill = new Option<bool>("--no-fill") { Description = "Consume what the topic already holds (from the beginning)" };
        count.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<long>() < 1)
            {
                r.AddError("--messages must be at least 1");
            }
        });
        foreach ((Option<int> option, int min, int max) in new[] { (size, 0, 1_000_000), (batch, 1, KafkaConsumer.MaxBatchSize), (partitions, 0, 10_000) })
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
            if (cluster.IsEmbedded)
            {
                cluster.EnsureTopic(topicName, EmbeddedPartitions(n, parsed.GetValue(size), parsed.GetValue(partitions), parsed.GetValue(noFill)));
            }

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

    /// <summary>
    /// Bytes one filled message takes in a partition's log: value, 8-byte key, and the record's framing (length,
    /// attributes, timestamp and offset deltas, key and value lengths, header count), generously.
    /// </summary>
    internal static long RecordBytes(int valueSize) => valueSize + 8 + 24;

    /// <summary>
    /// The partition count on the embedded cluster: the one asked for, or by default 16 or as many as it takes for
    /// every message to fit in 80% of what each embedded partition keeps (the mock drops the oldest batches beyond
    /// that, and the benchmark would wait for messages that are gone). Too few partitions asked for is a usage error.
    /// </summary>
    internal static int EmbeddedPartitions(long messages, int valueSize, int requested, bool noFill)
    {
        long perPartition = KafkaMockCluster.PartitionRetentionBytes * 8 / 10;
        long needed = Math.Max(1, (messages * RecordBytes(valueSize) + perPartition - 1) / perPartition);
        if (requested == 0)
        {
            return (int)Math.Clamp(Math.Max(16, needed), 1, 10_000);
        }

        if (!noFill && requested < needed)
        {
            throw new UsageException(
                $"--partitions {requested} is too few for {messages} messages of {valueSize} bytes on the embedded cluster: each partition keeps " +
                $"{KafkaMockCluster.PartitionRetentionBytes / (1024 * 1024)} MiB, so at least {needed} partitions are needed (or fewer messages, or -b for real brokers)");
        }

        return requested;
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
            // Round robin: every partition gets its share, so the partition count sized for them holds them all.
            while (!producer.TryProduce(target, BitConverter.GetBytes(i), payload, partition: (int)(i % target.PartitionCount)))
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

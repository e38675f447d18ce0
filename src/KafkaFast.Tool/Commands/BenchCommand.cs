using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using KafkaFast.Measurement;
using KafkaFast.Producer;

namespace KafkaFast.Tool.Commands;

/// <summary>kafkafast bench produce|consume: rdkafka_performance for KafkaFast, with CPU and allocation per message.</summary>
internal static class BenchCommand
{
    internal static Command Create(ToolConsole console)
    {
        var command = new Command("bench", "Measure produce or consume throughput, CPU and allocations per message, and call latency.");
        command.Subcommands.Add(CreateProduce(console));
        command.Subcommands.Add(BenchConsumeCommand.Create(console));
        return command;
    }

    private static Command CreateProduce(ToolConsole console)
    {
        var connection = new ConnectionOptions();
        var topic = new Option<string>("--topic", "-t") { Description = "Topic", DefaultValueFactory = _ => "kafkafast-bench" };
        var count = new Option<long>("--messages", "-n") { Description = "Messages to produce", DefaultValueFactory = _ => 1_000_000 };
        var size = new Option<int>("--size", "-s") { Description = "Value size in bytes", DefaultValueFactory = _ => 100 };
        var keys = new Option<int>("--keys") { Description = "Distinct 16-byte keys (0: no key)", DefaultValueFactory = _ => 1024 };
        var batch = new Option<int>("--batch") { Description = "Messages per TryProduceBatch call (1: TryProduce per message)", DefaultValueFactory = _ => 1 };
        var clients = new Option<int>("--clients") { Description = "MaxClients (librdkafka instances and worker threads)", DefaultValueFactory = _ => 1 };
        var partitions = new Option<int>("--partitions") { Description = "Partitions of the topic (embedded cluster only)", DefaultValueFactory = _ => 6 };
        foreach ((Option<int> option, int min, int max) in new[] { (size, 0, 10_000_000), (keys, 0, 1_000_000), (batch, 1, 100_000), (clients, 1, 64), (partitions, 1, 10_000) })
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

        count.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<long>() < 1)
            {
                r.AddError("--messages must be at least 1");
            }
        });

        var command = new Command("produce", "Produce N messages as fast as the producer accepts them; report rate, CPU/message, allocation/message, call latency.");
        connection.AddTo(command);
        foreach (Option option in new Option[] { topic, count, size, keys, batch, clients, partitions })
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parsed, cancellationToken) =>
        {
            Dictionary<string, string> properties = connection.ParseProperties(parsed);
            using ClusterConnection cluster = ClusterConnection.Open(parsed.GetValue(connection.Bootstrap), console);
            string topicName = parsed.GetValue(topic)!;
            cluster.EnsureTopic(topicName, parsed.GetValue(partitions));
            var options = new KafkaProducerOptions { BootstrapServers = cluster.BootstrapServers, MaxClients = parsed.GetValue(clients) };
            foreach ((string key, string value) in properties)
            {
                options.Properties[key] = value;
            }

            await using var producer = new KafkaProducer(options);
            KafkaTopic target = producer.GetTopic(topicName);
            var run = new ProduceBenchmark(producer, target, parsed.GetValue(count), parsed.GetValue(size), parsed.GetValue(keys), parsed.GetValue(batch), console);
            return await run.RunAsync(cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    /// <summary>One produce benchmark: the driver loop, live progress, the final table.</summary>
    private sealed class ProduceBenchmark(KafkaProducer producer, KafkaTopic topic, long count, int size, int keyCount, int batchSize, ToolConsole console)
    {
        private const int SampleEvery = 16;
        private readonly LatencyHistogram _latency = new();
        private long _waits;

        internal async Task<int> RunAsync(CancellationToken cancellationToken)
        {
            byte[][] keys = Enumerable.Range(0, Math.Max(keyCount, 1)).Select(i => keyCount == 0 ? Array.Empty<byte>() : Key(i)).ToArray();
            byte[] value = new byte[size];
            Random.Shared.NextBytes(value);
            var messages = new ProducerMessage[batchSize];

            console.Error.WriteLine($"% producing {count} messages of {size} bytes to {topic.Name} ({topic.PartitionCount} partitions), {(batchSize == 1 ? "one per call" : $"{batchSize} per call")}");
            var measurement = ProcessMeter.Start();
            long produced = 0, nextProgress = 1000;
            while (produced < count && !cancellationToken.IsCancellationRequested)
            {
                int n = (int)Math.Min(batchSize, count - produced);
                bool sample = (produced / batchSize) % SampleEvery == 0;
                long started = sample ? Stopwatch.GetTimestamp() : 0;
                if (batchSize == 1)
                {
                    byte[] key = keys[produced % keys.Length];
                    if (!producer.TryProduce(topic, key, value))
                    {
                        await WaitForSpaceAsync(new ProducerMessage(key, value), cancellationToken).ConfigureAwait(false);
                        sample = false;
                    }
                }
                else
                {
                    for (int i = 0; i < n; i++)
                    {
                        messages[i] = new ProducerMessage(keys[(produced + i) % keys.Length], value);
                    }

                    int accepted = producer.TryProduceBatch(topic, messages.AsSpan(0, n));
                    for (int i = accepted; i < n; i++)
                    {
                        await WaitForSpaceAsync(messages[i], cancellationToken).ConfigureAwait(false);
                        sample = false;
                    }
                }

                if (sample)
                {
                    _latency.RecordTicks(started, Stopwatch.GetTimestamp());
                }

                produced += n;
                if (measurement.Elapsed.TotalMilliseconds >= nextProgress)
                {
                    nextProgress += 1000;
                    ProducerStatistics s = producer.GetStatistics();
                    console.Error.WriteLine($"% {produced} produced, {s.Delivered} delivered, {produced / measurement.Elapsed.TotalSeconds:N0} msgs/s, {measurement.Cpu.TotalNanoseconds / Math.Max(produced, 1):N0} ns CPU/msg");
                }
            }

            long left = await producer.FlushAsync(TimeSpan.FromMinutes(5), CancellationToken.None).ConfigureAwait(false);
            TimeSpan cpu = measurement.Cpu, wall = measurement.Elapsed;
            ProducerStatistics stats = producer.GetStatistics();
            WriteTable(produced, wall, cpu, measurement, stats, left);
            return stats.Failed == 0 && left == 0 && stats.Delivered == produced ? 0 : 1;
        }

        private async ValueTask WaitForSpaceAsync(ProducerMessage message, CancellationToken cancellationToken)
        {
            _waits++;
            while (!await producer.EnqueueAsync(topic, message, TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false))
            {
            }
        }

        private void WriteTable(long produced, TimeSpan wall, TimeSpan cpu, ProcessMeter measurement, ProducerStatistics stats, long left)
        {
            var o = console.Out;
            var inv = CultureInfo.InvariantCulture;
            GcCounts gc = measurement.Gc;
            LatencySummary latency = _latency.Summarize();
            o.WriteLine("| metric | value |");
            o.WriteLine("| --- | ---: |");
            o.WriteLine(string.Create(inv, $"| messages | {produced:N0} ({size} B values, {(keyCount == 0 ? "no keys" : $"{keyCount} keys")}) |"));
            o.WriteLine(string.Create(inv, $"| wall time | {wall.TotalSeconds:F2} s |"));
            o.WriteLine(string.Create(inv, $"| messages per second | {produced / wall.TotalSeconds:N0} |"));
            o.WriteLine(string.Create(inv, $"| CPU per message (process) | {cpu.TotalNanoseconds / produced:N0} ns |"));
            o.WriteLine(string.Create(inv, $"| messages per CPU-second | {produced / cpu.TotalSeconds:N0} |"));
            o.WriteLine(string.Create(inv, $"| managed bytes allocated per message | {gc.AllocatedBytes / (double)produced:F2} |"));
            o.WriteLine(string.Create(inv, $"| GCs gen0/1/2 | {gc.Collections} |"));
            o.WriteLine(string.Create(inv, $"| call latency p50 / p99 / p99.9 / max | {latency.P50 / 1e3:F2} / {latency.P99 / 1e3:F2} / {latency.P999 / 1e3:F2} / {latency.Max / 1e3:F1} µs |"));
            o.WriteLine(string.Create(inv, $"| waits for budget space | {_waits:N0} |"));
            o.WriteLine(string.Create(inv, $"| peak RSS | {ProcessMemory.PeakResidentBytes() / 1024.0 / 1024:F0} MiB |"));
            o.WriteLine(string.Create(inv, $"| delivered / failed / in flight | {stats.Delivered:N0} / {stats.Failed:N0} / {left:N0} |"));
        }

        private static byte[] Key(int i)
        {
            var key = new byte[16];
            BitConverter.TryWriteBytes(key, i);
            BitConverter.TryWriteBytes(key.AsSpan(8), ~(long)i);
            return key;
        }
    }
}

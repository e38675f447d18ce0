using System.Diagnostics;
using Confluent.Kafka;
using KafkaFast.Benchmarks.Measurement;
using KafkaFast.Benchmarks.Workload;
using KafkaFast.Consumer;
using KafkaFast.Measurement;
using KafkaFast.Producer;

namespace KafkaFast.Benchmarks.Scenarios;

/// <summary>A topic filled once for the consumer scenarios: every consumer run reads it from the start with a new group.</summary>
internal sealed record FilledTopic(string Name, int Partitions, long Messages);

/// <summary>
/// Fills the consumer scenarios' topics, unmeasured: one per value size and message count, shared by every consumer
/// scenario and repeat. The embedded cluster keeps at most 5 MB per partition (older message sets are dropped:
/// <c>max_size</c> in rdkafka_mock.c), so the topic gets enough partitions to hold everything, and the fill is
/// checked against the partitions' watermarks before anything is measured.
/// </summary>
internal static class ConsumerTopics
{
    /// <summary>Stay well under the mock's 5 MB per partition (record overhead included).</summary>
    private const long BytesPerPartition = 3L * 1024 * 1024;

    /// <summary>Key, value and record overhead (length varints, attributes, batch header share), generously.</summary>
    private const int RecordOverhead = 40;

    private static readonly Dictionary<(int ValueSize, long Messages), FilledTopic> s_filled = [];

    internal static FilledTopic For(ScenarioContext context)
    {
        long total = context.Count + 2 * context.Warmup;
        var key = (context.Messages.ValueSize, total);
        lock (s_filled)
        {
            if (!s_filled.TryGetValue(key, out FilledTopic? topic))
            {
                topic = Fill(context, total);
                s_filled.Add(key, topic);
            }

            return topic;
        }
    }

    private static FilledTopic Fill(ScenarioContext context, long total)
    {
        long bytes = total * (context.Messages.ValueSize + MessageSet.KeyLength + RecordOverhead);
        int partitions = (int)Math.Max(BenchSettings.Partitions, (bytes + BytesPerPartition - 1) / BytesPerPartition);
        string name = context.Broker.CreateTopic($"c{context.Messages.ValueSize}", partitions);
        var clock = Stopwatch.StartNew();
        using (var producer = new KafkaProducer(KafkaFastSubject.Options(context.Broker.BootstrapServers, 256L * 1024 * 1024)))
        {
            KafkaTopic topic = producer.GetTopic(name);
            ProducerMessage[] ring = context.Messages.Messages;
            var batch = new ProducerMessage[1000];
            var backoff = new Backoff();
            for (long sent = 0; sent < total;)
            {
                int n = (int)Math.Min(batch.Length, total - sent);
                for (int i = 0; i < n; i++)
                {
                    long j = sent + i;
                    batch[i] = ring[j % MessageSet.Slots] with { Partition = (int)(j % partitions) }; // even: no partition overflows
                }

                for (int accepted = 0; accepted < n;)
                {
                    int now = producer.TryProduceBatch(topic, batch.AsSpan(accepted, n - accepted));
                    accepted += now;
                    if (now == 0)
                    {
                        backoff.Wait();
                    }
                }

                backoff.Reset();
                sent += n;
            }

            long left = producer.FlushAsync(TimeSpan.FromMinutes(5)).AsTask().GetAwaiter().GetResult();
            if (left != 0 || producer.GetStatistics().Failed != 0)
            {
                throw new InvalidOperationException($"Filling {name}: {left} messages undelivered, {producer.GetStatistics().Failed} failed.");
            }
        }

        // Everything must still be there: the mock drops the oldest data of a partition past 5 MB.
        using var reader = new KafkaConsumer(new KafkaConsumerOptions { BootstrapServers = context.Broker.BootstrapServers, GroupId = "bench-fill-check" });
        long stored = 0;
        for (int p = 0; p < partitions; p++)
        {
            KafkaFast.Consumer.WatermarkOffsets w = reader.QueryWatermarkOffsets(new KafkaFast.TopicPartition(name, p), TimeSpan.FromSeconds(30));
            stored += w.High - w.Low;
        }

        if (stored != total)
        {
            throw new InvalidOperationException($"Filling {name}: the broker holds {stored} of {total} messages (raise the partition count).");
        }

        Console.WriteLine($"{DateTime.Now:HH:mm:ss} filled {name}: {total:N0} messages of {context.Messages.ValueSize} B in {partitions} partitions ({clock.Elapsed.TotalSeconds:0.0} s, unmeasured)");
        return new FilledTopic(name, partitions, total);
    }
}

/// <summary>
/// A consumer and how a scenario drives it. <see cref="Read"/> returns exactly <c>count</c> more messages, doing the
/// same work for each in every library (key and value lengths into a checksum, and a check that each partition's
/// offsets come one after the other), and times every K-th consume call.
/// </summary>
internal abstract class ConsumerSubject : IDisposable
{
    private readonly long[] _nextOffset;

    protected ConsumerSubject(ScenarioContext context, FilledTopic topic)
    {
        Topic = topic;
        SampleEvery = context.Settings.SampleEvery;
        _nextOffset = new long[topic.Partitions];
    }

    protected FilledTopic Topic { get; }

    protected int SampleEvery { get; }

    /// <summary>Messages whose offset was not the one after its partition's previous message (loss or duplicate).</summary>
    internal long OutOfOrder { get; private set; }

    internal long Checksum { get; private set; }

    internal static string NewGroup() => $"bench-{Guid.NewGuid():N}";

    internal abstract void Read(long count, LatencyHistogram calls);

    /// <summary>The per-message work, identical for every library.</summary>
    protected void Account(int partition, long offset, int keyLength, int valueLength)
    {
        if (offset != _nextOffset[partition])
        {
            OutOfOrder++;
        }

        _nextOffset[partition] = offset + 1;
        Checksum += keyLength + valueLength;
    }

    public abstract void Dispose();
}

/// <summary>
/// The consumer template: the filled topic, a fresh consumer and group, two warm-up rounds on the same consumer
/// (joining the group, first fetches, JIT; unmeasured), a full GC, then measure from the first consume call until
/// the N-th message was returned, on the driver thread. A run that reads messages out of order fails.
/// </summary>
internal abstract class ConsumerScenario : IScenario
{
    /// <summary>Messages asked for per call by the KafkaFast batch scenarios.</summary>
    internal const int BatchSize = 1000;

    public abstract string Id { get; }

    public abstract string Name { get; }

    public abstract string Library { get; }

    public bool Awaited => false;

    protected abstract ConsumerSubject Open(ScenarioContext context, FilledTopic topic);

    public ScenarioResult Run(ScenarioContext context)
    {
        FilledTopic topic = ConsumerTopics.For(context);
        using ConsumerSubject subject = Open(context, topic);
        for (int round = 1; round <= 2; round++)
        {
            Threads.RunNamed(Threads.DriverPrefix, () => subject.Read(context.Warmup, new LatencyHistogram()));
            Thread.Sleep(300); // lets tiered compilation promote what the round made hot
        }

        ThroughputScenario.Quiesce();
        var calls = new LatencyHistogram();
        Meter meter = Meter.Start(context.Broker.ProcessId);
        Threads.RunNamed(Threads.DriverPrefix, () => subject.Read(context.Count, calls));
        Measured measured = meter.Stop();

        if (subject.OutOfOrder != 0)
        {
            return ScenarioResult.Failure(Id, $"{subject.OutOfOrder} messages out of order (lost or duplicated)", context.Count, context.Count);
        }

        return new ScenarioResult
        {
            ScenarioId = Id,
            Ok = true,
            Messages = context.Count,
            Delivered = context.Count,
            Measured = measured,
            CallLatency = calls.Summarize(),
        };
    }
}

/// <summary>A KafkaFast consumer with the defaults (CommitMode.Auto: each consume call stores the previous batch).</summary>
internal abstract class KafkaFastConsumerSubject : ConsumerSubject
{
    protected KafkaFastConsumerSubject(ScenarioContext context, FilledTopic topic) : base(context, topic)
    {
        Consumer = new KafkaConsumer(new KafkaConsumerOptions
        {
            BootstrapServers = context.Broker.BootstrapServers,
            GroupId = NewGroup(),
            AutoOffsetReset = KafkaFast.Consumer.AutoOffsetReset.Earliest,
        });
        Consumer.Error += (_, e) => Console.Error.WriteLine($"[kafkafast consumer] {e}");
        Consumer.Subscribe(topic.Name);
    }

    protected KafkaConsumer Consumer { get; }

    protected void Account(ConsumedBatch batch)
    {
        foreach (ConsumedMessage m in batch)
        {
            Account(m.Partition, m.Offset, m.Key.Length, m.Value.Length);
        }
    }

    public override void Dispose() => Consumer.Dispose();
}

/// <summary>(C1) ConsumeBatch: up to 1000 zero-copy message views per call, on one thread.</summary>
internal sealed class KafkaFastConsumeBatchScenario : ConsumerScenario
{
    public override string Id => "C1";

    public override string Name => $"KafkaFast ConsumeBatch (≤{BatchSize}/call)";

    public override string Library => "KafkaFast";

    protected override ConsumerSubject Open(ScenarioContext context, FilledTopic topic) => new Reader(context, topic);

    private sealed class Reader(ScenarioContext context, FilledTopic topic) : KafkaFastConsumerSubject(context, topic)
    {
        internal override void Read(long count, LatencyHistogram calls)
        {
            int untilSample = 1;
            for (long read = 0; read < count;)
            {
                int max = (int)Math.Min(BatchSize, count - read);
                ConsumedBatch batch;
                if (--untilSample == 0)
                {
                    untilSample = Math.Max(1, SampleEvery / BatchSize); // every call when sampling every 64th message
                    long t0 = Stopwatch.GetTimestamp();
                    batch = Consumer.ConsumeBatch(max, TimeSpan.FromSeconds(30));
                    calls.RecordTicks(t0, Stopwatch.GetTimestamp());
                }
                else
                {
                    batch = Consumer.ConsumeBatch(max, TimeSpan.FromSeconds(30));
                }

                using (batch)
                {
                    if (batch.IsEmpty)
                    {
                        throw new InvalidOperationException($"No message for 30 s after {read} of {count}.");
                    }

                    Account(batch);
                    read += batch.Count;
                }
            }
        }
    }
}

/// <summary>(C2) ConsumeBatchAsync: the same batches awaited without holding a thread (the loop behind ConsumeBatchesAsync).</summary>
internal sealed class KafkaFastConsumeAsyncScenario : ConsumerScenario
{
    public override string Id => "C2";

    public override string Name => $"KafkaFast ConsumeBatchAsync (≤{BatchSize}/call)";

    public override string Library => "KafkaFast";

    protected override ConsumerSubject Open(ScenarioContext context, FilledTopic topic) => new Reader(context, topic);

    private sealed class Reader(ScenarioContext context, FilledTopic topic) : KafkaFastConsumerSubject(context, topic)
    {
        internal override void Read(long count, LatencyHistogram calls) => ReadAsync(count, calls).GetAwaiter().GetResult();

        private async Task ReadAsync(long count, LatencyHistogram calls)
        {
            using var timeout = new CancellationTokenSource();
            int untilSample = 1;
            for (long read = 0; read < count;)
            {
                timeout.CancelAfter(TimeSpan.FromSeconds(30));
                int max = (int)Math.Min(BatchSize, count - read);
                bool sample = --untilSample == 0;
                long t0 = sample ? Stopwatch.GetTimestamp() : 0;
                using ConsumedBatch batch = await Consumer.ConsumeBatchAsync(max, timeout.Token);
                if (sample)
                {
                    untilSample = Math.Max(1, SampleEvery / BatchSize);
                    calls.RecordTicks(t0, Stopwatch.GetTimestamp());
                }

                Account(batch);
                read += batch.Count;
            }
        }
    }
}

/// <summary>(C3) Confluent.Kafka's Consume loop with byte[] keys and values, every setting at its default.</summary>
internal sealed class ConfluentConsumeScenario : ConsumerScenario
{
    public override string Id => "C3";

    public override string Name => "Confluent Consume (1/call)";

    public override string Library => "Confluent.Kafka";

    protected override ConsumerSubject Open(ScenarioContext context, FilledTopic topic) => new Reader(context, topic);

    private sealed class Reader : ConsumerSubject
    {
        private readonly IConsumer<byte[], byte[]> _consumer;

        internal Reader(ScenarioContext context, FilledTopic topic) : base(context, topic)
        {
            var config = new ConsumerConfig
            {
                BootstrapServers = context.Broker.BootstrapServers,
                GroupId = NewGroup(),
                AutoOffsetReset = Confluent.Kafka.AutoOffsetReset.Earliest,
            };
            _consumer = new ConsumerBuilder<byte[], byte[]>(config)
                .SetErrorHandler((_, e) => Console.Error.WriteLine($"[confluent consumer] {e.Code}: {e.Reason}"))
                .Build();
            _consumer.Subscribe(topic.Name);
        }

        internal override void Read(long count, LatencyHistogram calls)
        {
            int untilSample = 1;
            for (long read = 0; read < count;)
            {
                ConsumeResult<byte[], byte[]>? result;
                if (--untilSample == 0)
                {
                    untilSample = SampleEvery;
                    long t0 = Stopwatch.GetTimestamp();
                    result = _consumer.Consume(TimeSpan.FromSeconds(30));
                    calls.RecordTicks(t0, Stopwatch.GetTimestamp());
                }
                else
                {
                    result = _consumer.Consume(TimeSpan.FromSeconds(30));
                }

                if (result is null)
                {
                    throw new InvalidOperationException($"No message for 30 s after {read} of {count}.");
                }

                Account(result.Partition.Value, result.Offset.Value, result.Message.Key?.Length ?? 0, result.Message.Value?.Length ?? 0);
                read++;
            }
        }

        public override void Dispose()
        {
            _consumer.Close();
            _consumer.Dispose();
        }
    }
}

using System.Diagnostics;
using KafkaFast.Benchmarks.Measurement;
using KafkaFast.Benchmarks.Workload;
using KafkaFast.Measurement;
using KafkaFast.Producer;

namespace KafkaFast.Benchmarks.Scenarios;

/// <summary>A KafkaFast producer with the benchmark's settings, and its delivery counters.</summary>
internal abstract class KafkaFastSubject : Subject
{
    protected KafkaFastSubject(ScenarioContext context, string topic, long? budgetBytes = null)
    {
        Messages = context.Messages;
        SampleEvery = context.Settings.SampleEvery;
        KafkaProducerOptions options = Options(context.Broker.BootstrapServers, budgetBytes ?? context.Settings.KafkaFastBudgetBytes);
        foreach ((string key, string value) in context.Settings.KafkaFastProperties)
        {
            options.Properties[key] = value;
        }

        Producer = new KafkaProducer(options);
        Topic = Producer.GetTopic(topic);
    }

    protected KafkaProducer Producer { get; }

    protected KafkaTopic Topic { get; }

    protected MessageSet Messages { get; }

    protected int SampleEvery { get; }

    /// <summary>acks=all, idempotence on, linger 5 ms, no compression; budget: the library default (64 MiB) unless given.</summary>
    internal static KafkaProducerOptions Options(string bootstrap, long? budgetBytes = null)
    {
        var options = new KafkaProducerOptions
        {
            BootstrapServers = bootstrap,
            Linger = BenchSettings.Linger,
            Acks = Acks.All,
            EnableIdempotence = true,
            Compression = CompressionType.None,
        };
        if (budgetBytes is { } budget)
        {
            options.MemoryBudgetBytes = budget;
        }

        return options;
    }

    internal override long Delivered => Producer.GetStatistics().Delivered;

    internal override long Failed => Producer.GetStatistics().Failed;

    /// <summary>Flush: 0 left in flight means every accepted message is delivered or failed (counted after the meter stops).</summary>
    internal override bool WaitForDeliveries(long total, TimeSpan timeout) =>
        Producer.FlushAsync(timeout).AsTask().GetAwaiter().GetResult() == 0;

    public override void Dispose() => Producer.DisposeAsync().AsTask().GetAwaiter().GetResult();
}

/// <summary>(1) TryProduceBatch, 100 messages per call.</summary>
internal sealed class KafkaFastBatchScenario : ThroughputScenario
{
    public override string Id => "1";

    public override string Name => $"KafkaFast TryProduceBatch ({BenchSettings.BatchSize}/call)";

    public override string Library => "KafkaFast";

    protected override Subject Open(ScenarioContext context, string topic) => new Driver(context, topic);

    private sealed class Driver(ScenarioContext context, string topic) : KafkaFastSubject(context, topic)
    {
        internal override long Drive(long count, LatencyHistogram calls, LatencyHistogram? deliveries)
        {
            long retries = 0;
            Threads.RunNamed(Threads.DriverPrefix, () => retries = Run(count, calls));
            return retries;
        }

        private long Run(long count, LatencyHistogram calls)
        {
            ProducerMessage[] ring = Messages.Messages;
            var backoff = new Backoff();
            int slot = 0;
            int untilSample = 1;
            for (long sent = 0; sent < count;)
            {
                int n = (int)Math.Min(BenchSettings.BatchSize, count - sent);
                ReadOnlySpan<ProducerMessage> batch = ring.AsSpan(slot, n);
                int accepted;
                if (--untilSample == 0)
                {
                    untilSample = Math.Max(1, SampleEvery / BenchSettings.BatchSize); // every call when sampling every 64th message
                    long t0 = Stopwatch.GetTimestamp();
                    accepted = Producer.TryProduceBatch(Topic, batch);
                    calls.RecordTicks(t0, Stopwatch.GetTimestamp());
                }
                else
                {
                    accepted = Producer.TryProduceBatch(Topic, batch);
                }

                while (accepted < n)
                {
                    backoff.Wait();
                    accepted += Producer.TryProduceBatch(Topic, batch[accepted..]);
                }

                backoff.Reset();
                sent += n;
                slot += n;
                if (slot >= MessageSet.Slots)
                {
                    slot = 0;
                }
            }

            return backoff.Retries;
        }
    }
}

/// <summary>(2) TryProduce, one message per call.</summary>
internal sealed class KafkaFastSingleScenario : ThroughputScenario
{
    public override string Id => "2";

    public override string Name => "KafkaFast TryProduce (1/call)";

    public override string Library => "KafkaFast";

    protected override Subject Open(ScenarioContext context, string topic) => new Driver(context, topic);

    private sealed class Driver(ScenarioContext context, string topic) : KafkaFastSubject(context, topic)
    {
        internal override long Drive(long count, LatencyHistogram calls, LatencyHistogram? deliveries)
        {
            long retries = 0;
            Threads.RunNamed(Threads.DriverPrefix, () => retries = Run(count, calls));
            return retries;
        }

        private long Run(long count, LatencyHistogram calls)
        {
            MessageSet messages = Messages;
            var backoff = new Backoff();
            int slot = 0;
            int untilSample = 1;
            for (long i = 0; i < count; i++)
            {
                ReadOnlySpan<byte> key = messages.Key(slot);
                ReadOnlySpan<byte> value = messages.Value(slot);
                bool accepted;
                if (--untilSample == 0)
                {
                    untilSample = SampleEvery;
                    long t0 = Stopwatch.GetTimestamp();
                    accepted = Producer.TryProduce(Topic, key, value);
                    calls.RecordTicks(t0, Stopwatch.GetTimestamp());
                }
                else
                {
                    accepted = Producer.TryProduce(Topic, key, value);
                }

                if (!accepted)
                {
                    do
                    {
                        backoff.Wait();
                    }
                    while (!Producer.TryProduce(Topic, key, value));

                    backoff.Reset();
                }

                if (++slot == MessageSet.Slots)
                {
                    slot = 0;
                }
            }

            return backoff.Retries;
        }
    }
}

/// <summary>(3) ProduceAsync, awaited by 256 concurrent async loops (each awaits its own call).</summary>
internal sealed class KafkaFastAsyncScenario : ThroughputScenario
{
    public override string Id => "3";

    public override string Name => $"KafkaFast ProduceAsync ({BenchSettings.Concurrency} loops)";

    public override string Library => "KafkaFast";

    public override bool Awaited => true;

    protected override Subject Open(ScenarioContext context, string topic) => new Driver(context, topic);

    private sealed class Driver(ScenarioContext context, string topic) : KafkaFastSubject(context, topic)
    {
        private long _next;
        private long _retries;

        internal override long Drive(long count, LatencyHistogram calls, LatencyHistogram? deliveries)
        {
            _next = -1;
            _retries = 0;
            var loops = new Task[BenchSettings.Concurrency];
            for (int i = 0; i < loops.Length; i++)
            {
                loops[i] = Task.Run(() => Loop(count, calls, deliveries));
            }

            Task.WaitAll(loops);
            return _retries;
        }

        private async Task Loop(long count, LatencyHistogram calls, LatencyHistogram? deliveries)
        {
            ProducerMessage[] ring = Messages.Messages;
            int untilSample = 1;
            while (true)
            {
                long i = Interlocked.Increment(ref _next);
                if (i >= count)
                {
                    return;
                }

                ProducerMessage message = ring[(int)(i % MessageSet.Slots)];
                bool timed = --untilSample == 0;
                long t0 = 0;
                if (timed)
                {
                    untilSample = SampleEvery;
                    t0 = Stopwatch.GetTimestamp();
                }

                while (true)
                {
                    ValueTask<DeliveryResult> delivery = Producer.ProduceAsync(Topic, message);
                    if (timed)
                    {
                        calls.RecordTicks(t0, Stopwatch.GetTimestamp());
                    }

                    try
                    {
                        await delivery;
                        break;
                    }
                    catch (ProduceException e) when (e.Code == KafkaErrorCode.QueueFull)
                    {
                        Interlocked.Increment(ref _retries); // budget full: a server would shed or wait; we wait and retry
                        await Task.Yield();
                        timed = false;
                    }
                }

                if (timed)
                {
                    deliveries?.RecordTicks(t0, Stopwatch.GetTimestamp());
                }
            }
        }
    }
}

/// <summary>(4) Serialize-in-place: TryProduceJson writes a small JSON event with Utf8JsonWriter straight into the producer's buffer.</summary>
internal sealed class KafkaFastJsonScenario : ThroughputScenario
{
    public override string Id => "4";

    public override string Name => "KafkaFast TryProduceJson (Utf8JsonWriter in place)";

    public override string Library => "KafkaFast";

    protected override Subject Open(ScenarioContext context, string topic) => new Driver(context, topic);

    private sealed class Driver(ScenarioContext context, string topic) : KafkaFastSubject(context, topic)
    {
        internal override long Drive(long count, LatencyHistogram calls, LatencyHistogram? deliveries)
        {
            long retries = 0;
            Threads.RunNamed(Threads.DriverPrefix, () => retries = Run(count, calls));
            return retries;
        }

        private long Run(long count, LatencyHistogram calls)
        {
            MessageSet messages = Messages;
            JsonEvents shape = messages.Json;
            var backoff = new Backoff();
            int slot = 0;
            int untilSample = 1;
            long timestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            for (long i = 0; i < count; i++)
            {
                ReadOnlySpan<byte> key = messages.Key(slot);
                var e = new JsonEvents.Event(shape, 1_000_000 + i, messages.KeyIndex(slot), timestamp + (i >> 10), i & 0xFFFF);
                bool accepted;
                if (--untilSample == 0)
                {
                    untilSample = SampleEvery;
                    long t0 = Stopwatch.GetTimestamp();
                    accepted = Producer.TryProduceJson(Topic, key, e, JsonEvents.Write);
                    calls.RecordTicks(t0, Stopwatch.GetTimestamp());
                }
                else
                {
                    accepted = Producer.TryProduceJson(Topic, key, e, JsonEvents.Write);
                }

                if (!accepted)
                {
                    do
                    {
                        backoff.Wait();
                    }
                    while (!Producer.TryProduceJson(Topic, key, e, JsonEvents.Write));

                    backoff.Reset();
                }

                if (++slot == MessageSet.Slots)
                {
                    slot = 0;
                }
            }

            return backoff.Retries;
        }
    }
}

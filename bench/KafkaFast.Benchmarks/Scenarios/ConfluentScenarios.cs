using System.Diagnostics;
using System.Threading.Channels;
using Confluent.Kafka;
using KafkaFast.Benchmarks.Measurement;
using KafkaFast.Benchmarks.Workload;
using KafkaFast.Measurement;

namespace KafkaFast.Benchmarks.Scenarios;

/// <summary>
/// A Confluent.Kafka producer with the same settings (acks=all, idempotence, linger 5 ms, no compression; every
/// other setting at its default, as most teams run it) and a delivery handler that counts reports.
/// </summary>
internal abstract class ConfluentSubject : Subject
{
    private long _delivered;
    private long _failed;

    protected ConfluentSubject(ScenarioContext context, string topic, int? queueKilobytes = null)
    {
        Messages = context.Messages;
        SampleEvery = context.Settings.SampleEvery;
        TopicName = topic;
        ProducerConfig config = Config(context.Broker.BootstrapServers, queueKilobytes);
        foreach ((string key, string value) in context.Settings.ConfluentProperties)
        {
            config.Set(key, value);
        }

        Producer = new ProducerBuilder<byte[], byte[]>(config)
            .SetErrorHandler((_, e) => Console.Error.WriteLine($"[confluent] {e.Code}: {e.Reason}"))
            .Build();
        Handler = OnDelivery;
    }

    protected IProducer<byte[], byte[]> Producer { get; }

    protected string TopicName { get; }

    protected MessageSet Messages { get; }

    protected int SampleEvery { get; }

    /// <summary>The delivery handler passed to every Produce call (one cached delegate).</summary>
    protected Action<DeliveryReport<byte[], byte[]>> Handler { get; }

    internal static ProducerConfig Config(string bootstrap, int? queueKilobytes = null)
    {
        var config = new ProducerConfig
        {
            BootstrapServers = bootstrap,
            Acks = Confluent.Kafka.Acks.All,
            EnableIdempotence = true,
            LingerMs = BenchSettings.Linger.TotalMilliseconds,
            CompressionType = Confluent.Kafka.CompressionType.None,
        };
        if (queueKilobytes is { } kb)
        {
            config.QueueBufferingMaxKbytes = kb;
        }

        return config;
    }

    internal override long Delivered => Volatile.Read(ref _delivered);

    internal override long Failed => Volatile.Read(ref _failed);

    protected void CountDelivered() => Interlocked.Increment(ref _delivered);

    protected void CountFailed() => Interlocked.Increment(ref _failed);

    private void OnDelivery(DeliveryReport<byte[], byte[]> report)
    {
        if (report.Error.IsError)
        {
            Interlocked.Increment(ref _failed);
        }
        else
        {
            Interlocked.Increment(ref _delivered);
        }
    }

    internal override bool WaitForDeliveries(long total, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        Producer.Flush(timeout);
        while (Delivered + Failed < total && deadline.Elapsed < timeout)
        {
            Thread.Sleep(1); // the poll thread runs the last handlers
        }

        return Delivered + Failed >= total;
    }

    /// <summary>Produce with the handler; on Local_QueueFull (thrown), back off and retry, counting retries.</summary>
    protected void ProduceWithRetry(Message<byte[], byte[]> message, ref Backoff backoff)
    {
        while (true)
        {
            try
            {
                Producer.Produce(TopicName, message, Handler);
                return;
            }
            catch (ProduceException<byte[], byte[]> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
            {
                backoff.Wait();
            }
        }
    }

    public override void Dispose()
    {
        Producer.Flush(TimeSpan.FromSeconds(30));
        Producer.Dispose();
    }
}

/// <summary>(5) Confluent.Kafka Produce with a delivery handler, one message per call.</summary>
internal sealed class ConfluentProduceScenario : ThroughputScenario
{
    public override string Id => "5";

    public override string Name => "Confluent Produce + delivery handler";

    public override string Library => "Confluent.Kafka";

    protected override Subject Open(ScenarioContext context, string topic) => new Driver(context, topic);

    private sealed class Driver(ScenarioContext context, string topic) : ConfluentSubject(context, topic)
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
                // The request call: what a handler writes to send one message (the Message object is part of the API).
                if (--untilSample == 0)
                {
                    untilSample = SampleEvery;
                    long t0 = Stopwatch.GetTimestamp();
                    ProduceOne(slot, messages, ref backoff);
                    calls.RecordTicks(t0, Stopwatch.GetTimestamp());
                }
                else
                {
                    ProduceOne(slot, messages, ref backoff);
                }

                if (++slot == MessageSet.Slots)
                {
                    slot = 0;
                }
            }

            return backoff.Retries;
        }

        private void ProduceOne(int slot, MessageSet messages, ref Backoff backoff)
        {
            var message = new Message<byte[], byte[]> { Key = messages.KeyArray(slot), Value = messages.ValueArray(slot) };
            try
            {
                Producer.Produce(TopicName, message, Handler);
            }
            catch (ProduceException<byte[], byte[]> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
            {
                backoff.Wait();
                ProduceWithRetry(message, ref backoff);
            }
        }
    }
}

/// <summary>(6) Confluent.Kafka ProduceAsync awaited by 256 concurrent async loops.</summary>
internal sealed class ConfluentProduceAsyncScenario : ThroughputScenario
{
    public override string Id => "6";

    public override string Name => $"Confluent ProduceAsync ({BenchSettings.Concurrency} loops)";

    public override string Library => "Confluent.Kafka";

    public override bool Awaited => true;

    protected override Subject Open(ScenarioContext context, string topic) => new Driver(context, topic);

    private sealed class Driver(ScenarioContext context, string topic) : ConfluentSubject(context, topic)
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
            MessageSet messages = Messages;
            int untilSample = 1;
            while (true)
            {
                long i = Interlocked.Increment(ref _next);
                if (i >= count)
                {
                    return;
                }

                int slot = (int)(i % MessageSet.Slots);
                bool timed = --untilSample == 0;
                long t0 = 0;
                if (timed)
                {
                    untilSample = SampleEvery;
                    t0 = Stopwatch.GetTimestamp();
                }

                while (true)
                {
                    Task<DeliveryResult<byte[], byte[]>> delivery = Producer.ProduceAsync(
                        TopicName, new Message<byte[], byte[]> { Key = messages.KeyArray(slot), Value = messages.ValueArray(slot) });
                    if (timed)
                    {
                        calls.RecordTicks(t0, Stopwatch.GetTimestamp());
                    }

                    try
                    {
                        await delivery;
                        CountDelivered();
                        break;
                    }
                    catch (ProduceException<byte[], byte[]> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
                    {
                        Interlocked.Increment(ref _retries);
                        await Task.Yield();
                        timed = false;
                    }
                    catch (ProduceException<byte[], byte[]>)
                    {
                        CountFailed();
                        break;
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

/// <summary>
/// (7) The background hand-off: the request thread copies its message (it must outlive the request) into an
/// unbounded Channel and returns; a background task drains the channel into Confluent Produce with a handler.
/// </summary>
internal sealed class HandOffScenario : ThroughputScenario
{
    public override string Id => "7";

    public override string Name => "Channel hand-off -> Confluent Produce";

    public override string Library => "Confluent.Kafka";

    protected override Subject Open(ScenarioContext context, string topic) => new Driver(context, topic);

    /// <summary>The hand-off pattern (one channel and one drainer per use), shared with the overload scenario.</summary>
    internal sealed class HandOff : IDisposable
    {
        private readonly Channel<Message<byte[], byte[]>> _channel =
            Channel.CreateUnbounded<Message<byte[], byte[]>>(new UnboundedChannelOptions { SingleReader = true });
        private readonly Action<Message<byte[], byte[]>> _produce;
        private readonly Task _drainer;
        private long _drained;

        /// <summary>Starts the background drainer, which calls <paramref name="produce"/> for each message in order.</summary>
        internal HandOff(Action<Message<byte[], byte[]>> produce)
        {
            _produce = produce;
            _drainer = Task.Run(DrainAsync);
        }

        /// <summary>Messages the drainer has handed to the producer.</summary>
        internal long Drained => Volatile.Read(ref _drained);

        /// <summary>The request call: copy the value (the request's buffer is reused after it returns) and enqueue.</summary>
        internal bool Write(byte[] key, ReadOnlySpan<byte> value) =>
            _channel.Writer.TryWrite(new Message<byte[], byte[]> { Key = key, Value = value.ToArray() });

        private async Task DrainAsync()
        {
            ChannelReader<Message<byte[], byte[]>> reader = _channel.Reader;
            while (await reader.WaitToReadAsync().ConfigureAwait(false))
            {
                while (reader.TryRead(out Message<byte[], byte[]>? message))
                {
                    _produce(message);
                    Volatile.Write(ref _drained, _drained + 1); // single reader
                }
            }
        }

        /// <summary>Stops the writers and waits until the drainer has handed everything to the producer.</summary>
        internal bool Complete(TimeSpan timeout)
        {
            _channel.Writer.TryComplete();
            return _drainer.Wait(timeout);
        }

        public void Dispose() => _channel.Writer.TryComplete();
    }

    private sealed class Driver(ScenarioContext context, string topic) : ConfluentSubject(context, topic)
    {
        private Backoff _drainBackoff;

        internal override long Drive(long count, LatencyHistogram calls, LatencyHistogram? deliveries)
        {
            long before = _drainBackoff.Retries;
            using var handOff = new HandOff(message =>
            {
                ProduceWithRetry(message, ref _drainBackoff);
                _drainBackoff.Reset();
            });
            Threads.RunNamed(Threads.DriverPrefix, () => Run(handOff, count, calls));
            if (!handOff.Complete(TimeSpan.FromMinutes(10)))
            {
                throw new TimeoutException("The hand-off drainer did not finish.");
            }

            return _drainBackoff.Retries - before;
        }

        private void Run(HandOff handOff, long count, LatencyHistogram calls)
        {
            MessageSet messages = Messages;
            int slot = 0;
            int untilSample = 1;
            for (long i = 0; i < count; i++)
            {
                if (--untilSample == 0)
                {
                    untilSample = SampleEvery;
                    long t0 = Stopwatch.GetTimestamp();
                    handOff.Write(messages.KeyArray(slot), messages.Value(slot));
                    calls.RecordTicks(t0, Stopwatch.GetTimestamp());
                }
                else
                {
                    handOff.Write(messages.KeyArray(slot), messages.Value(slot));
                }

                if (++slot == MessageSet.Slots)
                {
                    slot = 0;
                }
            }
        }
    }
}

using System.Diagnostics;
using Confluent.Kafka;
using KafkaFast.Benchmarks.Measurement;
using KafkaFast.Benchmarks.Workload;
using KafkaFast.Measurement;

namespace KafkaFast.Benchmarks.Scenarios;

/// <summary>
/// Overload: every broker answers after a long round trip (200 ms) and the producer has a small memory budget
/// (16 MiB), while a request thread offers load at a fixed rate (1M msg/s) for a fixed time (10 s). What does
/// each client do with the load it cannot send? KafkaFast refuses at once; Confluent's Produce throws
/// QueueFull (the caller drops); the hand-off never refuses and queues in its channel. Then the RTT goes back
/// to 0 and everything accepted must end delivered or failed.
/// </summary>
internal sealed class OverloadScenario
{
    internal static readonly IReadOnlyList<(string Id, string Name)> Variants =
    [
        ("O1", "KafkaFast TryProduce (refuses when the budget is full)"),
        ("O5", "Confluent Produce (QueueFull exception -> dropped)"),
        ("O7", "Channel hand-off -> Confluent Produce (never refuses)"),
    ];

    internal static OverloadResult Run(string variant, BenchSettings settings, Broker.BrokerProcess broker, MessageSet messages)
    {
        ThroughputScenario.Quiesce();
        long rssBefore = ProcessMemory.ResidentBytes();
        bool peakReset = ProcessMemory.ResetPeakResident();
        string topic = broker.CreateTopic($"overload-{variant}", BenchSettings.Partitions);
        var context = new ScenarioContext(settings, broker, messages, 0, 0);
        using Target target = variant switch
        {
            "O1" => new KafkaFastTarget(context, topic, settings.OverloadBudgetBytes),
            "O5" => new ConfluentTarget(context, topic, (int)(settings.OverloadBudgetBytes / 1024)),
            "O7" => new HandOffTarget(context, topic, (int)(settings.OverloadBudgetBytes / 1024)),
            _ => throw new ArgumentException($"Unknown overload variant {variant}"),
        };

        // Warm-up at RTT 0 (JIT, connections), then the slow brokers.
        const int Warmup = 20_000;
        for (int i = 0; i < Warmup; i++)
        {
            target.OfferUntilAccepted(i % MessageSet.Slots);
        }

        if (!target.WaitAll(Warmup, TimeSpan.FromSeconds(60)))
        {
            return OverloadResult.Failure(variant, $"warm-up: {target.Delivered} of {Warmup} delivered");
        }

        broker.SetRoundTripTime(settings.OverloadRtt);
        var accepted = new LatencyHistogram();
        var rejected = new LatencyHistogram();
        long offered = 0, acceptedCount = 0;
        using var sampler = new RssSampler(TimeSpan.FromMilliseconds(50), () => target.Backlog(Volatile.Read(ref offered)));
        Meter meter = Meter.Start(broker.ProcessId, resetPeak: false);
        Threads.RunNamed(Threads.DriverPrefix, () =>
        {
            long frequency = Stopwatch.Frequency;
            long start = Stopwatch.GetTimestamp();
            long end = start + (long)(settings.OverloadDuration.TotalSeconds * frequency);
            int slot = 0;
            while (true)
            {
                long now = Stopwatch.GetTimestamp();
                if (now >= end)
                {
                    break;
                }

                long due = (long)((double)(now - start) * settings.OverloadRate / frequency);
                if (offered >= due)
                {
                    Thread.Sleep(1);
                    continue;
                }

                long burst = Math.Min(due, offered + 10_000); // re-check the clock at least every 10k calls
                while (offered < burst)
                {
                    long t0 = Stopwatch.GetTimestamp();
                    bool ok = target.Offer(slot);
                    long t1 = Stopwatch.GetTimestamp();
                    if (ok)
                    {
                        accepted.RecordTicks(t0, t1);
                        acceptedCount++;
                    }
                    else
                    {
                        rejected.RecordTicks(t0, t1);
                    }

                    Volatile.Write(ref offered, offered + 1);
                    if (++slot == MessageSet.Slots)
                    {
                        slot = 0;
                    }
                }
            }
        });

        double offeredSeconds = settings.OverloadDuration.TotalSeconds;
        Measured load = meter.Stop();
        long peakDuringLoad = sampler.Peak;
        broker.SetRoundTripTime(TimeSpan.Zero);
        var drain = Stopwatch.StartNew();
        bool complete = target.WaitAll(Warmup + acceptedCount, TimeSpan.FromSeconds(300));
        double drainSeconds = drain.Elapsed.TotalSeconds;
        sampler.Stop();
        long peak = Math.Max(sampler.Peak, peakReset ? ProcessMemory.PeakResidentBytes() : 0);
        long delivered = target.Delivered - Warmup;
        long failed = target.Failed;

        return new OverloadResult
        {
            Variant = variant,
            Ok = complete,
            Error = complete ? null : $"not everything accepted was reported within 300 s after the RTT went back to 0",
            TargetRate = settings.OverloadRate,
            OfferedSeconds = offeredSeconds,
            Offered = offered,
            Accepted = acceptedCount,
            Rejected = offered - acceptedCount,
            Delivered = delivered,
            Failed = failed,
            Retries = target.Retries,
            AcceptedLatency = accepted.Summarize(),
            RejectedLatency = rejected.Summarize(),
            RssBeforeBytes = rssBefore,
            PeakRssBytes = peak,
            PeakRssDuringLoadBytes = peakDuringLoad,
            Timeline = sampler.PerSecond(),
            MaxBacklog = sampler.MaxBacklog,
            DrainSeconds = drainSeconds,
            BudgetBytes = settings.OverloadBudgetBytes,
            Load = load,
        };
    }

    /// <summary>One client under overload: a request call that may refuse, and delivery counters.</summary>
    private abstract class Target : IDisposable
    {
        /// <summary>The request call; false = refused (the request sheds the message).</summary>
        internal abstract bool Offer(int slot);

        internal void OfferUntilAccepted(int slot)
        {
            while (!Offer(slot))
            {
                Thread.Sleep(1);
            }
        }

        internal abstract bool WaitAll(long total, TimeSpan timeout);

        internal abstract long Delivered { get; }

        internal abstract long Failed { get; }

        internal virtual long Retries => 0;

        /// <summary>Messages accepted but not yet handed to the producer (the hand-off's channel); 0 elsewhere.</summary>
        internal virtual long Backlog(long offered) => 0;

        public abstract void Dispose();
    }

    private sealed class KafkaFastTarget(ScenarioContext context, string topic, long budget) : Target
    {
        private readonly Subject _subject = new Producer(context, topic, budget);

        internal override bool Offer(int slot) => ((Producer)_subject).TryOffer(slot);

        internal override bool WaitAll(long total, TimeSpan timeout) => _subject.WaitForDeliveries(total, timeout);

        internal override long Delivered => _subject.Delivered;

        internal override long Failed => _subject.Failed;

        public override void Dispose() => _subject.Dispose();

        private sealed class Producer(ScenarioContext context, string topic, long budget) : KafkaFastSubject(context, topic, budget)
        {
            internal bool TryOffer(int slot) => base.Producer.TryProduce(Topic, Messages.Key(slot), Messages.Value(slot));

            internal override long Drive(long count, LatencyHistogram calls, LatencyHistogram? deliveries) => throw new NotSupportedException();
        }
    }

    private class ConfluentTarget(ScenarioContext context, string topic, int queueKilobytes) : Target
    {
        protected readonly Producer Subject = new(context, topic, queueKilobytes);

        internal override bool Offer(int slot)
        {
            var message = new Message<byte[], byte[]> { Key = Subject.Set.KeyArray(slot), Value = Subject.Set.ValueArray(slot) };
            try
            {
                Subject.Inner.Produce(Subject.Topic, message, Subject.DeliveryHandler);
                return true;
            }
            catch (ProduceException<byte[], byte[]> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
            {
                return false;
            }
        }

        internal override bool WaitAll(long total, TimeSpan timeout) => Subject.WaitForDeliveries(total, timeout);

        internal override long Delivered => Subject.Delivered;

        internal override long Failed => Subject.Failed;

        public override void Dispose() => Subject.Dispose();

        protected internal sealed class Producer(ScenarioContext context, string topic, int queueKilobytes) : ConfluentSubject(context, topic, queueKilobytes)
        {
            internal IProducer<byte[], byte[]> Inner => base.Producer;

            internal string Topic => TopicName;

            internal MessageSet Set => Messages;

            internal Action<DeliveryReport<byte[], byte[]>> DeliveryHandler => Handler;

            internal void ProduceRetrying(Message<byte[], byte[]> message, ref Backoff backoff) => ProduceWithRetry(message, ref backoff);

            internal override long Drive(long count, LatencyHistogram calls, LatencyHistogram? deliveries) => throw new NotSupportedException();
        }
    }

    private sealed class HandOffTarget : ConfluentTarget
    {
        private readonly HandOffScenario.HandOff _handOff;
        private Backoff _backoff;

        internal HandOffTarget(ScenarioContext context, string topic, int queueKilobytes) : base(context, topic, queueKilobytes) =>
            _handOff = new HandOffScenario.HandOff(message =>
            {
                Subject.ProduceRetrying(message, ref _backoff);
                _backoff.Reset();
            });

        internal override bool Offer(int slot) => _handOff.Write(Subject.Set.KeyArray(slot), Subject.Set.Value(slot));

        internal override long Retries => _backoff.Retries;

        internal override long Backlog(long offered) => offered + 20_000 - _handOff.Drained;

        internal override bool WaitAll(long total, TimeSpan timeout)
        {
            var clock = Stopwatch.StartNew();
            while (_handOff.Drained < total && clock.Elapsed < timeout)
            {
                Thread.Sleep(1);
            }

            return base.WaitAll(total, timeout - clock.Elapsed);
        }

        public override void Dispose()
        {
            _handOff.Complete(TimeSpan.FromMinutes(5));
            base.Dispose();
        }
    }
}

/// <summary>One overload run.</summary>
internal sealed record OverloadResult
{
    internal required string Variant { get; init; }
    internal required bool Ok { get; init; }
    internal string? Error { get; init; }
    internal double TargetRate { get; init; }
    internal double OfferedSeconds { get; init; }
    internal long Offered { get; init; }
    internal long Accepted { get; init; }
    internal long Rejected { get; init; }
    internal long Delivered { get; init; }
    internal long Failed { get; init; }
    internal long Lost => Accepted - Delivered - Failed;
    internal long Retries { get; init; }
    internal LatencySummary AcceptedLatency { get; init; } = LatencySummary.Empty;
    internal LatencySummary RejectedLatency { get; init; } = LatencySummary.Empty;
    internal long RssBeforeBytes { get; init; }
    internal long PeakRssBytes { get; init; }
    internal long PeakRssDuringLoadBytes { get; init; }
    internal IReadOnlyList<long> Timeline { get; init; } = [];
    internal long MaxBacklog { get; init; }
    internal double DrainSeconds { get; init; }
    internal long BudgetBytes { get; init; }
    /// <summary>CPU, GC and per-thread CPU during the offered load (not the drain).</summary>
    internal Measured? Load { get; init; }
    internal long Growth => PeakRssBytes - RssBeforeBytes;

    internal static OverloadResult Failure(string variant, string error) => new() { Variant = variant, Ok = false, Error = error };
}

/// <summary>Samples RSS (and a backlog counter) on its own thread without allocating; keeps per-second maxima.</summary>
internal sealed class RssSampler : IDisposable
{
    private readonly List<long> _perSecond = [];
    private readonly Thread _thread;
    private readonly Func<long> _backlog;
    private readonly TimeSpan _interval;
    private volatile bool _stop;
    private long _peak;
    private long _maxBacklog;

    internal RssSampler(TimeSpan interval, Func<long> backlog)
    {
        _interval = interval;
        _backlog = backlog;
        _thread = new Thread(Run) { IsBackground = true, Name = "bench-rss" };
        _thread.Start();
    }

    internal long Peak => Volatile.Read(ref _peak);

    internal long MaxBacklog => Volatile.Read(ref _maxBacklog);

    private void Run()
    {
        var clock = Stopwatch.StartNew();
        while (!_stop)
        {
            long rss = ProcessMemory.ResidentBytes();
            int second = (int)clock.Elapsed.TotalSeconds;
            lock (_perSecond)
            {
                while (_perSecond.Count <= second)
                {
                    _perSecond.Add(0);
                }

                _perSecond[second] = Math.Max(_perSecond[second], rss);
            }

            if (rss > _peak)
            {
                Volatile.Write(ref _peak, rss);
            }

            long backlog = _backlog();
            if (backlog > _maxBacklog)
            {
                Volatile.Write(ref _maxBacklog, backlog);
            }

            Thread.Sleep(_interval);
        }
    }

    internal IReadOnlyList<long> PerSecond()
    {
        lock (_perSecond)
        {
            return [.. _perSecond];
        }
    }

    internal void Stop()
    {
        _stop = true;
        _thread.Join();
    }

    public void Dispose()
    {
        if (!_stop)
        {
            Stop();
        }
    }
}

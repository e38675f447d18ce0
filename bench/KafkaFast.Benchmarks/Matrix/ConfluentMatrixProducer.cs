using System.Diagnostics;
using Confluent.Kafka;
using KafkaFast.Benchmarks.Measurement;

namespace KafkaFast.Benchmarks.Matrix;

/// <summary>
/// Confluent.Kafka's Produce with a delivery handler, same settings (acks=all, idempotence, linger 5 ms, no
/// compression; everything else at its default). A probe is a message given its own (pre-allocated) handler.
/// </summary>
internal sealed class ConfluentMatrixProducer : MatrixProducer
{
    private readonly IProducer<byte[], byte[]> _producer;
    private readonly string _topic;
    private readonly Action<DeliveryReport<byte[], byte[]>> _count;
    private readonly ProbeRing<HandlerProbe> _probes;
    private long _delivered;
    private long _failed;
    private string? _firstError;

    internal ConfluentMatrixProducer(MatrixRunSpec spec)
    {
        var config = new ProducerConfig
        {
            BootstrapServers = spec.Bootstrap,
            Acks = Confluent.Kafka.Acks.All,
            EnableIdempotence = true,
            LingerMs = BenchSettings.Linger.TotalMilliseconds,
            CompressionType = Confluent.Kafka.CompressionType.None,
        };
        foreach ((string key, string value) in spec.Properties)
        {
            config.Set(key, value);
        }

        _producer = new ProducerBuilder<byte[], byte[]>(config)
            .SetErrorHandler((_, e) => Console.Error.WriteLine($"[confluent] {e.Code}: {e.Reason}"))
            .Build();
        _topic = spec.Topic;
        _count = Count;
        _probes = new ProbeRing<HandlerProbe>(() => new HandlerProbe(this));
    }

    internal override long Delivered => Volatile.Read(ref _delivered);

    internal override long Failed => Volatile.Read(ref _failed);

    internal override long ProbesSkipped => _probes.Skipped;

    internal override string FirstError => _firstError ?? "";

    internal override bool Produce(long sequence, bool probe, ref Backoff backoff)
    {
        MatrixWorkload.SetSequence(Value, sequence);
        var message = new Message<byte[], byte[]> { Key = MatrixWorkload.Key(sequence), Value = Value };
        HandlerProbe? slot = probe ? _probes.Take() : null;
        if (slot is not null)
        {
            slot.Enqueued = Stopwatch.GetTimestamp();
            try
            {
                _producer.Produce(_topic, message, slot.Handler);
                backoff.Reset();
                return true;
            }
            catch (ProduceException<byte[], byte[]> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
            {
                slot.Release(); // refused: retried below as a plain message; the next message is timed instead
                backoff.Wait();
            }
        }

        while (true)
        {
            try
            {
                _producer.Produce(_topic, message, _count);
                backoff.Reset();
                return false;
            }
            catch (ProduceException<byte[], byte[]> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
            {
                backoff.Wait();
            }
        }
    }

    internal override bool WaitForReports(long total, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (Delivered + Failed < total && clock.Elapsed < timeout)
        {
            Thread.Sleep(1); // Confluent's poll thread runs the handlers
        }

        return Delivered + Failed >= total;
    }

    internal override bool WaitForProbes(TimeSpan timeout) => _probes.WaitIdle(timeout);

    public override void Dispose()
    {
        _producer.Flush(TimeSpan.FromSeconds(30));
        _producer.Dispose();
    }

    private void Count(DeliveryReport<byte[], byte[]> report)
    {
        if (report.Error.IsError)
        {
            _firstError ??= report.Error.Reason;
            Interlocked.Increment(ref _failed);
        }
        else
        {
            Interlocked.Increment(ref _delivered);
        }
    }

    /// <summary>A timed message: its own cached handler records the report's time, then counts it.</summary>
    private sealed class HandlerProbe : Probe
    {
        private readonly ConfluentMatrixProducer _owner;

        internal HandlerProbe(ConfluentMatrixProducer owner)
        {
            _owner = owner;
            Handler = OnDelivery;
        }

        internal Action<DeliveryReport<byte[], byte[]>> Handler { get; }

        private void OnDelivery(DeliveryReport<byte[], byte[]> report)
        {
            long now = Stopwatch.GetTimestamp();
            if (!report.Error.IsError)
            {
                _owner.Deliveries.RecordTicks(Enqueued, now);
            }

            Release();
            _owner.Count(report);
        }
    }
}

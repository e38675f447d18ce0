using System.Diagnostics;
using KafkaFast.Benchmarks.Measurement;
using KafkaFast.Producer;

namespace KafkaFast.Benchmarks.Matrix;

/// <summary>
/// KafkaFast's TryProduce, with the benchmark's settings (acks=all, idempotence, linger 5 ms, no compression) and the
/// run's memory budget. TryProduce has no per-message report, so a probe is sent with ProduceAsync instead (same
/// copy into the same slabs, same worker, same partition order) and its completion is the delivery report.
/// </summary>
internal sealed class KafkaFastMatrixProducer : MatrixProducer
{
    private readonly KafkaProducer _producer;
    private readonly KafkaTopic _topic;
    private readonly ProbeRing<DeliveryProbe> _probes;
    private long _probeFailures;

    internal KafkaFastMatrixProducer(MatrixRunSpec spec)
    {
        var options = new KafkaProducerOptions
        {
            BootstrapServers = spec.Bootstrap,
            Linger = BenchSettings.Linger,
            Acks = Acks.All,
            EnableIdempotence = true,
            Compression = CompressionType.None,
        };
        if (spec.BudgetBytes is { } budget)
        {
            options.MemoryBudgetBytes = budget;
        }

        foreach ((string key, string value) in spec.Properties)
        {
            options.Properties[key] = value;
        }

        _producer = new KafkaProducer(options);
        _topic = _producer.GetTopic(spec.Topic);
        _probes = new ProbeRing<DeliveryProbe>(() => new DeliveryProbe(this));
    }

    internal override long Delivered => _producer.GetStatistics().Delivered;

    internal override long Failed => _producer.GetStatistics().Failed;

    internal override long ProbesSkipped => _probes.Skipped;

    internal override string FirstError =>
        _producer.GetStatistics() is { FailedByError.Count: > 0 } s ? string.Join(", ", s.FailedByError.Select(e => $"{e.Key} x{e.Value}")) : "";

    internal override bool Produce(long sequence, bool probe, ref Backoff backoff)
    {
        byte[] key = MatrixWorkload.Key(sequence);
        MatrixWorkload.SetSequence(Value, sequence);
        if (probe && _probes.Take() is { } slot)
        {
            slot.Enqueued = Stopwatch.GetTimestamp();
            ValueTask<DeliveryResult> delivery = _producer.ProduceAsync(_topic, new ProducerMessage(key, Value));
            if (!delivery.IsCompleted)
            {
                slot.Await(delivery);
                return true;
            }

            // Completed during the call: refused (budget full; the exception is the API's answer), never delivered yet.
            try
            {
                delivery.GetAwaiter().GetResult();
                Deliveries.RecordTicks(slot.Enqueued, Stopwatch.GetTimestamp());
                slot.Release();
                return true;
            }
            catch (ProduceException) when (!_producer.GetStatistics().IsFatal)
            {
                slot.Release();
                backoff.Wait(); // refused: retried below as a plain message; the next message is timed instead
            }
        }

        int attempts = 0;
        while (!_producer.TryProduce(_topic, key, Value))
        {
            backoff.Wait();
            if (++attempts % 100_000 == 0 && _producer.GetStatistics().IsFatal)
            {
                throw new InvalidOperationException($"The producer stopped: {_producer.GetStatistics().FatalReason}");
            }
        }

        backoff.Reset();
        return false;
    }

    internal override bool WaitForReports(long total, TimeSpan timeout) =>
        _producer.FlushAsync(timeout).AsTask().GetAwaiter().GetResult() == 0 && Delivered + Failed >= total;

    internal override bool WaitForProbes(TimeSpan timeout) => _probes.WaitIdle(timeout);

    public override void Dispose() => _producer.DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>One timed message: its ValueTask, and the cached continuation that records the report's time.</summary>
    private sealed class DeliveryProbe : Probe
    {
        private readonly KafkaFastMatrixProducer _owner;
        private readonly Action _onCompleted;
        private ValueTask<DeliveryResult> _delivery;

        internal DeliveryProbe(KafkaFastMatrixProducer owner)
        {
            _owner = owner;
            _onCompleted = OnCompleted;
        }

        internal void Await(ValueTask<DeliveryResult> delivery)
        {
            _delivery = delivery;
            delivery.GetAwaiter().UnsafeOnCompleted(_onCompleted);
        }

        private void OnCompleted()
        {
            long now = Stopwatch.GetTimestamp();
            try
            {
                _delivery.GetAwaiter().GetResult();
                _owner.Deliveries.RecordTicks(Enqueued, now);
            }
            catch (ProduceException)
            {
                Interlocked.Increment(ref _owner._probeFailures);
            }
            finally
            {
                _delivery = default;
                Release();
            }
        }
    }
}

using KafkaFast.Benchmarks.Measurement;
using KafkaFast.Measurement;

namespace KafkaFast.Benchmarks.Matrix;

/// <summary>
/// A client under test in a matrix producer process: produces message number N (with <see cref="MatrixWorkload"/>'s
/// key and value), times the probes from the accepted call to their delivery report, and counts reports.
/// </summary>
internal abstract class MatrixProducer : IDisposable
{
    /// <summary>The value buffer, rewritten per message: every client copies it during the call.</summary>
    protected byte[] Value { get; } = MatrixWorkload.NewValue();

    /// <summary>Delivery latency of the probes, nanoseconds.</summary>
    internal LatencyHistogram Deliveries { get; } = new();

    /// <summary>
    /// Produces message <paramref name="sequence"/>, retrying refusals with <paramref name="backoff"/>. With
    /// <paramref name="probe"/>, times it if its first call is accepted; returns whether it was timed.
    /// </summary>
    internal abstract bool Produce(long sequence, bool probe, ref Backoff backoff);

    internal abstract long Delivered { get; }

    internal abstract long Failed { get; }

    /// <summary>The first delivery error, or empty.</summary>
    internal virtual string FirstError => "";

    /// <summary>Probes skipped because their slot was still in flight.</summary>
    internal abstract long ProbesSkipped { get; }

    /// <summary>Waits until <paramref name="total"/> reports (delivered or failed) arrived, without rd_kafka_flush.</summary>
    internal abstract bool WaitForReports(long total, TimeSpan timeout);

    /// <summary>Waits until the last probes' reports were recorded (they may run on another thread).</summary>
    internal abstract bool WaitForProbes(TimeSpan timeout);

    public abstract void Dispose();
}

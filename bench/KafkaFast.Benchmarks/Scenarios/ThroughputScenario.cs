using KafkaFast.Benchmarks.Measurement;
using KafkaFast.Measurement;

namespace KafkaFast.Benchmarks.Scenarios;

/// <summary>
/// A producer plus the way a scenario drives it. <see cref="Drive"/> sends message slots 0..count-1 (wrapping)
/// and returns how many times a call was refused and retried; it times every K-th request call.
/// </summary>
internal abstract class Subject : IDisposable
{
    internal abstract long Drive(long count, LatencyHistogram calls, LatencyHistogram? deliveries);

    /// <summary>Waits until <paramref name="total"/> messages (since the producer was made) are delivered or failed.</summary>
    internal abstract bool WaitForDeliveries(long total, TimeSpan timeout);

    internal abstract long Delivered { get; }

    internal abstract long Failed { get; }

    public abstract void Dispose();
}

/// <summary>
/// The throughput template: fresh topic, fresh producer, warm-up (same producer and topic, unmeasured, until
/// delivered), full GC, then measure from the first call until every delivery report is in, then check counts.
/// </summary>
internal abstract class ThroughputScenario : IScenario
{
    public abstract string Id { get; }

    public abstract string Name { get; }

    public abstract string Library { get; }

    public virtual bool Awaited => false;

    protected abstract Subject Open(ScenarioContext context, string topic);

    public ScenarioResult Run(ScenarioContext context)
    {
        string topic = context.NewTopic($"s{Id}");
        using Subject subject = Open(context, topic);
        TimeSpan timeout = TimeSpan.FromSeconds(Math.Max(120, context.Count / 20_000));

        // Two warm-up rounds with a pause between them: the pause lets tiered compilation promote what the first
        // round made hot (it waits for 100 ms without new tier-0 code), the second round runs that code and makes
        // the rest hot, so the measured run does not pay for the JIT.
        for (int round = 1; round <= 2; round++)
        {
            subject.Drive(context.Warmup, new LatencyHistogram(), Awaited ? new LatencyHistogram() : null);
            if (!subject.WaitForDeliveries(round * context.Warmup, timeout) || subject.Failed != 0)
            {
                return ScenarioResult.Failure(Id, $"warm-up: {subject.Delivered} of {round * context.Warmup} delivered, {subject.Failed} failed", context.Warmup, subject.Delivered, subject.Failed);
            }

            Thread.Sleep(300);
        }

        long warmedUp = 2 * context.Warmup;

        Quiesce();
        var calls = new LatencyHistogram();
        LatencyHistogram? deliveries = Awaited ? new LatencyHistogram() : null;
        Meter meter = Meter.Start(context.Broker.ProcessId);
        long retries = subject.Drive(context.Count, calls, deliveries);
        bool complete = subject.WaitForDeliveries(warmedUp + context.Count, timeout);
        Measured measured = meter.Stop();

        long delivered = subject.Delivered - warmedUp;
        long failed = subject.Failed;
        if (!complete || delivered != context.Count || failed != 0)
        {
            return ScenarioResult.Failure(Id, $"{delivered} of {context.Count} delivered, {failed} failed{(complete ? "" : $", timed out after {timeout.TotalSeconds:0} s")}",
                context.Count, delivered, failed);
        }

        return new ScenarioResult
        {
            ScenarioId = Id,
            Ok = true,
            Messages = context.Count,
            Delivered = delivered,
            Failed = failed,
            Retries = retries,
            Measured = measured,
            CallLatency = calls.Summarize(),
            DeliveryLatency = deliveries?.Summarize(),
        };
    }

    /// <summary>Garbage from earlier runs is collected and the producer's threads settle before measuring.</summary>
    internal static void Quiesce()
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        Thread.Sleep(200);
    }
}

#if DEBUG
using System.Diagnostics;
using KafkaFast.Consumer;
using KafkaFast.Tests.Support;
using static KafkaFast.Tests.Consumer.ConsumerTestSupport;

namespace KafkaFast.Tests.Consumer;

/// <summary>
/// Debug builds check ConsumedBatch's rules (AssertInvariants) on every fill, rent and dispose; the Debug test run
/// passes only if no consumer test breaks one. This proves the check is live: a broken batch makes it fire. Serial:
/// it swaps the process-wide trace listeners so the failed assertion throws instead of ending the process.
/// </summary>
[Collection(SerialTests.Name)]
public class ConsumedBatchInvariantTests
{
    /// <summary>Turns a failed Debug.Assert into an exception (the default listener ends the process).</summary>
    private sealed class ThrowingListener : TraceListener
    {
        public override void Fail(string? message, string? detailMessage) => throw new InvalidProgramException(message);

        public override void Write(string? message)
        {
        }

        public override void WriteLine(string? message)
        {
        }
    }

    [Fact]
    public void A_batch_whose_count_disagrees_with_its_messages_fails_its_debug_check()
    {
        var (cluster, topic) = TopicWith(prefix: "invariants", messages: 10, partitions: 1);
        using var _ = cluster;
        using var consumer = new KafkaConsumer(Options(cluster, Unique("group"), CommitMode.Manual));
        consumer.Subscribe(topic);
        var clock = Stopwatch.StartNew();
        ConsumedBatch batch;
        while ((batch = consumer.ConsumeBatch(100, TimeSpan.FromMilliseconds(200))).Count < 2)
        {
            Assert.True(clock.Elapsed < Patience, "no batch of two messages within the patience");
            batch.Dispose(); // empty (not assigned yet) or a single message: the rest comes in the next batch
        }

        int count = batch.Count;
        TraceListener[] previous = [.. Trace.Listeners.Cast<TraceListener>()];
        Trace.Listeners.Clear();
        Trace.Listeners.Add(new ThrowingListener());
        try
        {
            var broken = Assert.Throws<InvalidProgramException>(() => batch.Activate(count - 1, batch.Engine.TopicNames));
            Assert.Contains("count and its handle's disagree", broken.Message, StringComparison.Ordinal);
            batch.Activate(count, batch.Engine.TopicNames); // consistent again: no assertion
        }
        finally
        {
            Trace.Listeners.Clear();
            Trace.Listeners.AddRange(previous);
        }

        batch.Dispose();
    }
}
#endif

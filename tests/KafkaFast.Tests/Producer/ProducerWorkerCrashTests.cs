using System.Text;
using KafkaFast.Mock;
using KafkaFast.Producer;
using KafkaFast.Producer.Engine;
using KafkaFast.Tests.Support;

namespace KafkaFast.Tests.Producer;

/// <summary>
/// A worker made to fail on purpose (<see cref="ProducerEngine.WorkerFaultHook"/>): every message it held ends as
/// exactly one failure report with the crash as its reason (or as a delivery), its memory returns to the budget, the
/// producer says it is fatal, and produce calls keep returning false (counted), never throwing.
/// </summary>
[Collection(SerialTests.Name)]
public sealed class ProducerWorkerCrashTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private const string Injected = "injected worker fault";
    private readonly KafkaMockCluster _cluster = new(2);

    public void Dispose() => _cluster.Dispose();

    private static async Task Eventually(Func<bool> condition, Func<string> describe)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"not within {Patience}: {describe()}");
            await Task.Delay(20);
        }
    }

    private static List<DeliveryFailure> ReadAll(KafkaProducer producer)
    {
        var failures = new List<DeliveryFailure>();
        while (producer.Failures.TryRead(out DeliveryFailure? failure))
        {
            failures.Add(failure);
        }

        return failures;
    }

    private static async Task Connect(KafkaProducer producer, KafkaTopic topic, int partition) =>
        await producer.ProduceAsync(topic, new ProducerMessage(Encoding.UTF8.GetBytes("connect"), Encoding.UTF8.GetBytes("connect")) { Partition = partition })
            .AsTask().WaitAsync(Patience);

    /// <summary>A hook that blocks the chosen worker at the top of its next pass until released, then throws.</summary>
    private sealed class BlockThenThrow(int client) : IDisposable
    {
        private readonly ManualResetEventSlim _blocked = new();
        private readonly ManualResetEventSlim _release = new();

        internal void Hook(ProducerClient c, WorkerFaultPoint point)
        {
            if (c.Index != client || point != WorkerFaultPoint.Pass)
            {
                return;
            }

            _blocked.Set();
            _release.Wait(Patience); // bounded: a failing test never leaves the worker blocked for good
            throw new InvalidOperationException(Injected);
        }

        internal void WaitBlocked() => Assert.True(_blocked.Wait(Patience), "the worker reached the fault hook");

        internal void Release() => _release.Set();

        public void Dispose()
        {
            _release.Set();
            _blocked.Dispose();
        }
    }

    private static void AssertRefusedAsFatal(KafkaProducer producer, KafkaTopic topic, int partition)
    {
        long before = producer.GetStatistics().Rejected[ProduceRejectReason.Fatal];
        Assert.False(producer.TryProduce(topic, "k"u8, "after the crash"u8, partition: partition));
        Assert.False(producer.TryProduce(topic, "keyless after the crash"u8));
        Assert.Equal(0, producer.TryProduceBatch(topic, [new ProducerMessage("k"u8.ToArray(), "batch"u8.ToArray())]));
        var refused = Assert.Throws<ProduceException>(() => producer.ProduceAsync(topic, new ProducerMessage("k"u8.ToArray(), "awaited"u8.ToArray())).AsTask().GetAwaiter().GetResult());
        Assert.Equal(KafkaErrorCode.Fatal, refused.Code);
        Assert.Contains(Injected, refused.Message, StringComparison.Ordinal);
        Assert.False(producer.EnqueueAsync(topic, new ProducerMessage("k"u8.ToArray(), "enqueue"u8.ToArray()), TimeSpan.FromSeconds(5)).AsTask().GetAwaiter().GetResult());
        ProducerStatistics stats = producer.GetStatistics();
        Assert.Equal(before + 5, stats.Rejected[ProduceRejectReason.Fatal]);
        Assert.Equal(0, stats.Rejected[ProduceRejectReason.BudgetFull]);
        Assert.Equal(0, stats.Rejected[ProduceRejectReason.Closed]);
    }

    [Fact(Timeout = 180_000)]
    public async Task A_crashed_worker_fails_every_message_it_held_in_every_state_with_a_reason_and_frees_its_memory()
    {
        _cluster.CreateTopic("crash-states", 2);
        var producer = new KafkaProducer(Producers.Options(_cluster, o => o.Properties["batch.num.messages"] = "10")); // at most 10 handed over per partition
        producer.Engine.StallThreshold = TimeSpan.FromMilliseconds(50);
        KafkaTopic topic = producer.GetTopic("crash-states");
        _cluster.SetPartitionLeader("crash-states", 0, 1);
        _cluster.SetPartitionLeader("crash-states", 1, 1);
        await Connect(producer, topic, 0);
        await Connect(producer, topic, 1);
        _cluster.SetBrokerDown(1);

        // Partition 0: up to 10 handed to librdkafka (held: the broker is down), the rest waiting in the gate behind them.
        for (int i = 0; i < 100; i++)
        {
            Assert.True(producer.TryProduce(topic, "k"u8, Encoding.UTF8.GetBytes($"gate-{i}"), partition: 0));
        }

        // Partition 1: awaited messages, the same way.
        var awaited = new List<Task<DeliveryResult>>();
        for (int i = 0; i < 20; i++)
        {
            awaited.Add(producer.ProduceAsync(topic, new ProducerMessage("k"u8.ToArray(), Encoding.UTF8.GetBytes($"awaited-{i}")) { Partition = 1 }).AsTask());
        }

        static bool HeldInBoth(IReadOnlyList<StalledPartition> stalled, int partition, int total) =>
            stalled.SingleOrDefault(p => p.Partition == partition) is { MessagesInFlight: > 0, MessagesWaiting: > 0 } s && s.MessagesInFlight + s.MessagesWaiting == total;
        await Eventually(
            () => producer.GetStatistics().StalledPartitions is var stalled && HeldInBoth(stalled, 0, 100) && HeldInBoth(stalled, 1, 20),
            () => $"{producer.GetStatistics()}; stalled: " + string.Join("; ", producer.GetStatistics().StalledPartitions.Select(p => $"[{p.Partition}] in flight {p.MessagesInFlight}, waiting {p.MessagesWaiting}")));

        // The worker stops at the top of a pass; what is written now stays in the slab, never scanned.
        using var fault = new BlockThenThrow(0);
        producer.Engine.WorkerFaultHook = fault.Hook;
        fault.WaitBlocked();
        for (int i = 0; i < 30; i++)
        {
            Assert.True(producer.TryProduce(topic, "k"u8, Encoding.UTF8.GetBytes($"unscanned-{i}"), partition: i % 2));
        }

        long idle = 0;
        fault.Release();
        await Eventually(() => producer.GetStatistics() is { IsFatal: true, InFlight: 0 } s && s.BudgetBytesInUse == idle, () => producer.GetStatistics().ToString());

        ProducerStatistics stats = producer.GetStatistics();
        Assert.Equal(2 + 100 + 20 + 30, stats.Accepted);
        Assert.Equal(2, stats.Delivered);
        Assert.Equal(150, stats.Failed);
        Assert.Equal(150, stats.FailedByError[KafkaErrorCode.Fatal]);
        Assert.Equal(0, stats.BudgetBytesForLibrdkafka);
        Assert.Contains("producer worker 0 crashed", stats.FatalReason, StringComparison.Ordinal);
        Assert.Contains(Injected, stats.FatalReason, StringComparison.Ordinal);

        // Exactly one report per message, each with the crash as its reason; the unscanned ones never left.
        List<DeliveryFailure> failures = ReadAll(producer);
        var values = failures.Select(f => Encoding.UTF8.GetString(f.Value)).ToList();
        var expected = Enumerable.Range(0, 100).Select(i => $"gate-{i}")
            .Concat(Enumerable.Range(0, 20).Select(i => $"awaited-{i}"))
            .Concat(Enumerable.Range(0, 30).Select(i => $"unscanned-{i}"));
        Assert.Equal(expected.Order(), values.Order());
        Assert.All(failures, f => Assert.Equal(KafkaErrorCode.Fatal, f.Error));
        Assert.All(failures, f => Assert.Contains(Injected, f.Reason, StringComparison.Ordinal));
        Assert.All(failures.Where(f => Encoding.UTF8.GetString(f.Value).StartsWith("unscanned-", StringComparison.Ordinal)),
            f => Assert.Equal(PersistenceStatus.NotPersisted, f.Status));
        foreach (Task<DeliveryResult> task in awaited)
        {
            var error = await Assert.ThrowsAsync<ProduceException>(() => task.WaitAsync(Patience));
            Assert.Equal(KafkaErrorCode.Fatal, error.Code);
            Assert.Contains(Injected, error.Message, StringComparison.Ordinal);
        }

        // The request path keeps refusing, counted, without throwing; a new topic is refused by name.
        AssertRefusedAsFatal(producer, topic, 0);
        var newTopic = Assert.Throws<KafkaException>(() => producer.GetTopic("crash-states-new"));
        Assert.Equal(KafkaErrorCode.Fatal, newTopic.Code);

        ProducerCloseResult closed = await producer.CloseAsync(TimeSpan.FromSeconds(5)).WaitAsync(Patience);
        Assert.Equal((152L, 2L, 150L), (closed.Accepted, closed.Delivered, closed.Failed));
        await producer.DisposeAsync().AsTask().WaitAsync(Patience);
        AssertRefusedAsFatal(producer, topic, 1); // still false, not ObjectDisposedException
        await producer.Failures.Completion.WaitAsync(Patience);
        _cluster.SetBrokerUp(1);
    }

    [Fact(Timeout = 180_000)]
    public async Task Reports_lost_with_the_event_the_worker_crashed_in_become_failures_once_librdkafka_is_destroyed()
    {
        _cluster.CreateTopic("crash-reports", 2);
        var producer = new KafkaProducer(Producers.Options(_cluster));
        KafkaTopic topic = producer.GetTopic("crash-reports");
        await Connect(producer, topic, 0);

        int thrown = 0;
        producer.Engine.WorkerFaultHook = (_, point) =>
        {
            if (point == WorkerFaultPoint.DeliveryReports && Interlocked.Exchange(ref thrown, 1) == 0)
            {
                throw new InvalidOperationException(Injected); // the event is destroyed unread: its reports are gone
            }
        };

        var awaited = new List<Task<DeliveryResult>>();
        for (int i = 0; i < 200; i++)
        {
            awaited.Add(producer.ProduceAsync(topic, new ProducerMessage("k"u8.ToArray(), Encoding.UTF8.GetBytes($"m-{i}"))).AsTask());
        }

        await Eventually(() => producer.GetStatistics() is { IsFatal: true, InFlight: 0, BudgetBytesInUse: 0 }, () => producer.GetStatistics().ToString());

        // Every awaiter completes once: delivered, or failed with the crash as reason; the failures are exactly the reports.
        var failedValues = new List<string>();
        int delivered = 0;
        for (int i = 0; i < awaited.Count; i++)
        {
            try
            {
                await awaited[i].WaitAsync(Patience);
                delivered++;
            }
            catch (ProduceException e)
            {
                Assert.Equal(KafkaErrorCode.Fatal, e.Code);
                Assert.Contains(Injected, e.Message, StringComparison.Ordinal);
                failedValues.Add($"m-{i}");
            }
        }

        List<DeliveryFailure> failures = ReadAll(producer);
        Assert.NotEmpty(failures); // at least the reports of the event that was lost
        Assert.Equal(failedValues.Order(), failures.Select(f => Encoding.UTF8.GetString(f.Value)).Order());
        Assert.All(failures, f => Assert.Contains(Injected, f.Reason, StringComparison.Ordinal));
        ProducerStatistics stats = producer.GetStatistics();
        Assert.Equal((201L, 1L + delivered, (long)failures.Count), (stats.Accepted, stats.Delivered, stats.Failed));
        Assert.Equal(0, stats.BudgetBytesForLibrdkafka);

        AssertRefusedAsFatal(producer, topic, 0);
        await producer.DisposeAsync().AsTask().WaitAsync(Patience);
    }

    [Fact(Timeout = 180_000)]
    public async Task With_two_clients_the_healthy_one_delivers_what_it_accepted_while_the_producer_refuses_new_messages()
    {
        _cluster.CreateTopic("crash-two", 2);
        var producer = new KafkaProducer(Producers.Options(_cluster, o => o.MaxClients = 2));
        KafkaTopic topic = producer.GetTopic("crash-two");
        int crashing = Array.IndexOf(topic.State.Layout!.ClientOfPartition, 0); // the partition of client 0
        int healthy = Array.IndexOf(topic.State.Layout!.ClientOfPartition, 1);   // the partition of client 1
        Assert.True(crashing >= 0 && healthy >= 0, "each client serves one of the two partitions");
        _cluster.SetPartitionLeader("crash-two", crashing, 1);
        _cluster.SetPartitionLeader("crash-two", healthy, 2);
        await Connect(producer, topic, crashing);
        await Connect(producer, topic, healthy);

        // The healthy client holds 20 messages while its partition's broker is down.
        _cluster.SetBrokerDown(2);
        var held = new List<Task<DeliveryResult>>();
        for (int i = 0; i < 20; i++)
        {
            held.Add(producer.ProduceAsync(topic, new ProducerMessage("k"u8.ToArray(), Encoding.UTF8.GetBytes($"healthy-{i}")) { Partition = healthy }).AsTask());
        }

        using var fault = new BlockThenThrow(0);
        producer.Engine.WorkerFaultHook = fault.Hook;
        fault.WaitBlocked();
        for (int i = 0; i < 10; i++)
        {
            Assert.True(producer.TryProduce(topic, "k"u8, Encoding.UTF8.GetBytes($"crashing-{i}"), partition: crashing));
        }

        fault.Release();
        await Eventually(() => producer.GetStatistics() is { IsFatal: true, Failed: 10 }, () => producer.GetStatistics().ToString());
        Assert.Equal(20, producer.GetStatistics().InFlight); // the healthy client's messages are not failed

        // Fatal is the producer's state: the healthy client's partition refuses new messages too.
        AssertRefusedAsFatal(producer, topic, healthy);

        // What the healthy client accepted is delivered once its broker is back.
        _cluster.SetBrokerUp(2);
        foreach (Task<DeliveryResult> task in held)
        {
            DeliveryResult result = await task.WaitAsync(Patience);
            Assert.Equal(healthy, result.Partition);
        }

        List<DeliveryFailure> failures = ReadAll(producer);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"crashing-{i}").Order(), failures.Select(f => Encoding.UTF8.GetString(f.Value)).Order());
        Assert.All(failures, f => Assert.Equal(crashing, f.Partition));

        ProducerCloseResult closed = await producer.CloseAsync(TimeSpan.FromSeconds(10)).WaitAsync(Patience);
        Assert.Equal((32L, 22L, 10L), (closed.Accepted, closed.Delivered, closed.Failed));
        Assert.Equal(0, producer.GetStatistics().BudgetBytesInUse);
        await producer.DisposeAsync().AsTask().WaitAsync(Patience);
    }
}

using KafkaFast.Buffers;
using KafkaFast.Mock;
using KafkaFast.Producer;
using KafkaFast.Tests.Support;

namespace KafkaFast.Tests.Producer;

/// <summary>The memory budget: full means refused at once (counted) or a bounded wait, never growth.</summary>
[Collection(SerialTests.Name)]
public sealed class ProducerBudgetTests : IDisposable
{
    private const int SmallMessageMax = 60_000; // slabs of 128 KiB
    private readonly KafkaMockCluster _cluster = new(2);

    public void Dispose() => _cluster.Dispose();

    [Fact]
    public async Task Full_budget_rejects_at_once_and_counts_then_recovers()
    {
        _cluster.CreateTopic("full", 2);
        await using var producer = new KafkaProducer(Producers.Options(_cluster, o =>
        {
            o.MessageMaxBytes = SmallMessageMax;
            o.MemoryBudgetBytes = 4 * 128 * 1024;
        }));
        var topic = producer.GetTopic("full");
        _cluster.SetAllBrokers(up: false);

        byte[] value = new byte[1000];
        int accepted = 0;
        while (producer.TryProduce(topic, "k"u8, value))
        {
            accepted++;
            Assert.True(accepted < 10_000, "the budget never filled");
        }

        Assert.True(accepted > 100, $"only {accepted} accepted");
        for (int i = 0; i < 10; i++)
        {
            Assert.False(producer.TryProduce(topic, "k"u8, value));
        }

        var stats = producer.GetStatistics();
        Assert.Equal(11, stats.Rejected[ProduceRejectReason.BudgetFull]);
        Assert.Equal(accepted, stats.Accepted);
        // Full: what is left is at most the slab kept as room for librdkafka's share of the messages handed to it.
        Assert.True(stats.BudgetBytes - stats.BudgetBytesInUse <= stats.SlabSize, stats.ToString());
        Assert.Equal(0, producer.TryProduceBatch(topic, [new ProducerMessage(default, value)]));
        await Assert.ThrowsAsync<ProduceException>(async () => await producer.ProduceAsync(topic, default, value));

        _cluster.SetAllBrokers(up: true);
        await Producers.FlushOrFail(producer);
        Assert.True(producer.TryProduce(topic, "k"u8, value));
        await Producers.FlushOrFail(producer);
        stats = producer.GetStatistics();
        Assert.Equal(accepted + 1, stats.Delivered);
        Assert.Equal(0, stats.Failed);
        Assert.Equal(13, stats.Rejected[ProduceRejectReason.BudgetFull]);
    }

    [Fact]
    public async Task A_batch_call_on_a_full_budget_returns_the_accepted_prefix_instead_of_waiting()
    {
        _cluster.CreateTopic("batch-full", 2);
        await using var producer = new KafkaProducer(Producers.Options(_cluster, o =>
        {
            o.MessageMaxBytes = SmallMessageMax;
            o.MemoryBudgetBytes = 4 * 128 * 1024;
        }));
        var topic = producer.GetTopic("batch-full");
        _cluster.SetAllBrokers(up: false);

        var batch = Enumerable.Range(0, 200).Select(i => new ProducerMessage(BitConverter.GetBytes(i), new byte[500])).ToArray();
        long accepted = 0;
        for (int call = 0; call < 100; call++)
        {
            // Off the test thread, so that a call that never returns fails the test instead of hanging it.
            int taken = await Task.Run(() => producer.TryProduceBatch(topic, batch)).WaitAsync(TimeSpan.FromSeconds(30));
            accepted += taken;
            if (taken < batch.Length)
            {
                break;
            }
        }

        var stats = producer.GetStatistics();
        Assert.True(accepted < 100 * batch.Length, "the budget never filled");
        Assert.Equal(accepted, stats.Accepted);
        Assert.Equal(0, await Task.Run(() => producer.TryProduceBatch(topic, batch)).WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(2, stats.Rejected[ProduceRejectReason.BudgetFull] + 1);

        _cluster.SetAllBrokers(up: true);
        await Producers.FlushOrFail(producer);
        Assert.Equal(accepted, producer.GetStatistics().Delivered);
    }

    [Fact]
    public async Task Waiting_calls_succeed_when_space_frees_and_give_up_at_their_deadline()
    {
        _cluster.CreateTopic("wait", 1);
        await using var producer = new KafkaProducer(Producers.Options(_cluster, o =>
        {
            o.MessageMaxBytes = SmallMessageMax;
            o.MemoryBudgetBytes = 2 * 128 * 1024;
            o.OverflowPolicy = OverflowPolicy.Wait;
            o.OverflowTimeout = TimeSpan.FromSeconds(30);
        }));
        var topic = producer.GetTopic("wait");
        _cluster.SetAllBrokers(up: false);
        byte[] value = new byte[2000];
        while (producer.TryProduce(topic, "k"u8, value))
        {
        }

        // A short deadline passes while the brokers are down: refused and counted.
        Assert.False(await producer.EnqueueAsync(topic, new ProducerMessage(default, value), TimeSpan.FromMilliseconds(50)));
        long rejectedBefore = producer.GetStatistics().Rejected[ProduceRejectReason.BudgetFull];

        // Long waits: pending until the brokers return, then accepted and delivered.
        var produced = producer.ProduceAsync(topic, new ProducerMessage("waited"u8.ToArray(), value)).AsTask();
        var enqueued = producer.EnqueueAsync(topic, new ProducerMessage("enqueued"u8.ToArray(), value), TimeSpan.FromSeconds(30)).AsTask();
        await Task.Delay(200);
        Assert.False(produced.IsCompleted);
        Assert.False(enqueued.IsCompleted);

        _cluster.SetAllBrokers(up: true);
        DeliveryResult result = await produced.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(0, result.Partition);
        Assert.True(await enqueued.WaitAsync(TimeSpan.FromSeconds(30)));
        await Producers.FlushOrFail(producer);
        var stats = producer.GetStatistics();
        Assert.Equal(rejectedBefore, stats.Rejected[ProduceRejectReason.BudgetFull]);
        Assert.Equal(stats.Accepted, stats.Delivered);
    }

    [Fact]
    public async Task Memory_stays_within_budget_plus_fixed_overhead_while_brokers_are_down()
    {
        const long Budget = 16L * 1024 * 1024;
        _cluster.CreateTopic("bounded", 6);
        await using var producer = new KafkaProducer(Producers.Options(_cluster, o => o.MemoryBudgetBytes = Budget));
        var topic = producer.GetTopic("bounded");
        _cluster.SetAllBrokers(up: false);
        GC.Collect();
        long rssBefore = ProcessProbe.ResidentBytes();
        long heapBefore = ProcessProbe.NativeHeapInUse();

        byte[] value = new byte[100];
        byte[] key = new byte[16];
        long accepted = 0, rejected = 0, peakRss = 0, peakHeap = 0;
        var until = DateTime.UtcNow.AddSeconds(3);
        while (DateTime.UtcNow < until)
        {
            for (int i = 0; i < 10_000; i++)
            {
                BitConverter.TryWriteBytes(key, accepted + rejected);
                if (producer.TryProduce(topic, key, value))
                {
                    accepted++;
                }
                else
                {
                    rejected++;
                }
            }

            peakRss = Math.Max(peakRss, ProcessProbe.ResidentBytes());
            peakHeap = Math.Max(peakHeap, ProcessProbe.NativeHeapInUse());
        }

        long rssGrowth = peakRss - rssBefore;
        long heapGrowth = peakHeap - heapBefore;
        Assert.True(rejected > 0, "the budget never filled");
        Assert.True(rssGrowth < Budget + 32 * 1024 * 1024, $"RSS grew {rssGrowth / 1024 / 1024} MiB for a {Budget / 1024 / 1024} MiB budget ({accepted} accepted, {rejected} rejected)");
        Assert.True(heapGrowth < Budget + 32 * 1024 * 1024, $"native heap grew {heapGrowth / 1024 / 1024} MiB for a {Budget / 1024 / 1024} MiB budget");
        var stats = producer.GetStatistics();
        Assert.True(stats.BudgetBytesInUse <= Budget);
        Assert.Equal(accepted, stats.Accepted);
        Assert.Equal(rejected, stats.Rejected[ProduceRejectReason.BudgetFull]);

        _cluster.SetAllBrokers(up: true);
        await Producers.FlushOrFail(producer, 60);
        Assert.Equal(accepted, producer.GetStatistics().Delivered);
    }

    /// <summary>
    /// librdkafka's share of the budget (~240 bytes for a message with a 16-byte key) is charged only for messages
    /// handed to it; those waiting behind the partition gate cost their record alone (168 bytes here). With every
    /// broker down, a 16 MiB budget therefore holds far more than 16 MiB / (record + share) messages.
    /// </summary>
    [Fact]
    public async Task Messages_waiting_behind_the_gate_are_not_charged_librdkafkas_share()
    {
        const long Budget = 16L * 1024 * 1024;
        _cluster.CreateTopic("share", 6);
        await using var producer = new KafkaProducer(Producers.Options(_cluster, o =>
        {
            o.MemoryBudgetBytes = Budget;
            o.MessageTimeout = TimeSpan.FromMinutes(2);
        }));
        var topic = producer.GetTopic("share");
        _cluster.SetAllBrokers(up: false);
        try
        {
            byte[] key = new byte[16];
            byte[] value = new byte[100];
            long accepted = 0;
            int refusals = 0;
            while (refusals < 200)
            {
                BitConverter.TryWriteBytes(key, accepted);
                if (producer.TryProduce(topic, key, value))
                {
                    accepted++;
                    refusals = 0;
                }
                else
                {
                    refusals++;
                    await Task.Delay(1); // the worker may still cool slabs or hand a first batch
                }
            }

            var stats = producer.GetStatistics();
            long withShareEach = Budget / (MessageRecord.SizeFor(16, 100, 0) + MessageRecord.LibrdkafkaOverhead(16, 0, 0, long.MaxValue));
            Assert.True(accepted > withShareEach * 3 / 2, $"{accepted} accepted; {withShareEach} fit when every message carries librdkafka's share ({stats})");
            Assert.True(stats.BudgetBytesForLibrdkafka > 0, "nothing was handed to librdkafka");
            Assert.True(stats.BudgetBytesInUse <= stats.BudgetBytes, stats.ToString());
            Assert.Equal(accepted, stats.Accepted);
        }
        finally
        {
            _cluster.SetAllBrokers(up: true);
        }

        await Producers.FlushOrFail(producer, 60);
        var after = producer.GetStatistics();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (after.BudgetBytesForLibrdkafka != 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20); // the worker gives the share back at the end of the pass that took the last reports
            after = producer.GetStatistics();
        }

        Assert.Equal(after.Accepted, after.Delivered);
        Assert.Equal(0, after.BudgetBytesForLibrdkafka);
        Assert.True(after.BudgetBytesInUse <= after.SlabSize, after.ToString()); // the slab being filled stays
    }
}

using KafkaFast.Mock;
using KafkaFast.Producer;
using KafkaFast.Producer.Engine;
using KafkaFast.Tests.Support;

namespace KafkaFast.Tests.Producer;

/// <summary>
/// The worker's linger-paced pause: when nobody awaits delivery reports it sleeps through them and takes them at the
/// end of the pause. Whoever does wait must not wait for the pause. Each test stretches the pause far past its own
/// deadlines, so a missing wake-up fails by timeout instead of passing slowly.
/// </summary>
public sealed class ProducerPacingTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private const int LongPauseMs = 120_000;
    private readonly KafkaMockCluster _cluster = new(1);

    public void Dispose() => _cluster.Dispose();

    private static async Task WaitUntil(Func<bool> condition, string what)
    {
        DateTime deadline = DateTime.UtcNow + Deadline;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"{what} within {Deadline.TotalSeconds} s");
            await Task.Delay(2);
        }
    }

    [Fact]
    public async Task Reports_of_TryProduce_messages_are_taken_without_a_flush_while_the_worker_paces()
    {
        _cluster.CreateTopic("paced", 2);
        await using var producer = new KafkaProducer(Producers.Options(_cluster, o => o.MaxClients = 1));
        ProducerClient client = producer.Engine.ClientAt(0);
        client.PacedPauseMs = 200; // deaf to reports for 200 ms at a time
        var topic = producer.GetTopic("paced");
        for (int i = 0; i < 1000; i++)
        {
            Assert.True(producer.TryProduce(topic, "k"u8, "v"u8));
        }

        // Nobody flushes or awaits: the pass after each pause takes the reports, frees librdkafka's share and counts.
        await WaitUntil(() => producer.GetStatistics() is { Delivered: 1000, BudgetBytesForLibrdkafka: 0 }, "every report taken");
        Assert.Equal(0, producer.GetStatistics().Failed);
    }

    [Fact]
    public async Task A_writer_refused_for_want_of_budget_wakes_a_pacing_worker()
    {
        _cluster.CreateTopic("paced-full", 2);
        await using var producer = new KafkaProducer(Producers.Options(_cluster, o =>
        {
            o.MaxClients = 1;
            o.MessageMaxBytes = 60_000; // slabs of 128 KiB
            o.MemoryBudgetBytes = 4 * 128 * 1024;
        }));
        producer.Engine.ClientAt(0).PacedPauseMs = LongPauseMs;
        var topic = producer.GetTopic("paced-full");
        byte[] value = new byte[1000];

        // Writers fill the budget while the worker paces; each refusal wakes it, and a nearly full budget keeps it
        // awake to reports until they have freed room: writers are accepted again long before the pause would end.
        long accepted = 0;
        DateTime deadline = DateTime.UtcNow + Deadline;
        int refusals = 0;
        while (refusals < 3)
        {
            Assert.True(DateTime.UtcNow < deadline, $"{refusals} refusals recovered from within {Deadline.TotalSeconds} s: {producer.GetStatistics()}");
            if (producer.TryProduce(topic, "k"u8, value))
            {
                accepted++;
                continue;
            }

            refusals++;
            await WaitUntil(() => producer.TryProduce(topic, "k"u8, value), "a refused writer accepted again");
            accepted++;
        }

        Assert.True(producer.GetStatistics().Rejected[ProduceRejectReason.BudgetFull] >= 3);
        await Producers.FlushOrFail(producer);
        Assert.Equal(accepted, producer.GetStatistics().Delivered);
    }

    [Fact]
    public async Task An_awaited_produce_does_not_wait_for_the_pause()
    {
        _cluster.CreateTopic("paced-await", 1);
        await using var producer = new KafkaProducer(Producers.Options(_cluster, o => o.MaxClients = 1));
        ProducerClient client = producer.Engine.ClientAt(0);
        client.PacedPauseMs = LongPauseMs;
        var topic = producer.GetTopic("paced-await");
        Assert.True(producer.TryProduce(topic, "k"u8, "plain"u8));
        await WaitUntil(() => client.IsPacing, "the worker in a paced pause after handing the record over");

        // Its publish wakes the worker; while it is in flight, the report wakes the worker too.
        DeliveryResult first = await producer.ProduceAsync(topic, "k"u8.ToArray(), "awaited"u8.ToArray()).AsTask().WaitAsync(Deadline);
        Assert.Equal(1, first.Offset);

        await WaitUntil(() => client.IsPacing, "the worker back in a paced pause");
        DeliveryResult second = await producer.ProduceAsync(topic, "k"u8.ToArray(), "awaited again"u8.ToArray()).AsTask().WaitAsync(Deadline);
        Assert.Equal(2, second.Offset);
    }

    [Fact]
    public async Task Flush_and_close_wake_a_pacing_worker()
    {
        _cluster.CreateTopic("paced-flush", 2);
        var producer = new KafkaProducer(Producers.Options(_cluster, o => o.MaxClients = 1));
        try
        {
            ProducerClient client = producer.Engine.ClientAt(0);
            client.PacedPauseMs = LongPauseMs;
            var topic = producer.GetTopic("paced-flush");
            for (int i = 0; i < 100; i++)
            {
                Assert.True(producer.TryProduce(topic, "k"u8, "v"u8));
            }

            await WaitUntil(() => client.IsPacing, "the worker in a paced pause");
            await Producers.FlushOrFail(producer);
            Assert.Equal(100, producer.GetStatistics().Delivered);

            for (int i = 0; i < 100; i++)
            {
                Assert.True(producer.TryProduce(topic, "k"u8, "v"u8));
            }

            await WaitUntil(() => client.IsPacing, "the worker in a paced pause again");
            ProducerCloseResult closed = await producer.CloseAsync(Deadline).WaitAsync(Deadline + Deadline);
            Assert.Equal(200, closed.Delivered);
            Assert.Equal(0, closed.Failed);
        }
        finally
        {
            await producer.DisposeAsync();
        }
    }
}

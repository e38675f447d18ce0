using System.Runtime.CompilerServices;
using System.Text;
using KafkaFast.Mock;
using KafkaFast.Producer;
using KafkaFast.Tests.Support;
using Xunit.Abstractions;

namespace KafkaFast.Tests.Producer;

/// <summary>Producers come and go without leaking threads or native memory, disposed or not.</summary>
[Collection(SerialTests.Name)]
public sealed class ProducerLifetimeTests(ITestOutputHelper output) : IDisposable
{
    private readonly KafkaMockCluster _cluster = new(1);

    public void Dispose() => _cluster.Dispose();

    [Fact]
    public async Task Creating_and_disposing_200_producers_returns_threads_and_native_memory_to_baseline()
    {
        _cluster.CreateTopic("churn", 2);
        await ProduceOnce(); // warm-up: librdkafka's global init, JIT, thread pool
        int threadsBefore = ProcessProbe.KafkaThreadCount();
        long heapBefore = ProcessProbe.NativeHeapInUse();

        for (int round = 0; round < 20; round++)
        {
            // Ten at a time: a producer's first delivery waits for its idempotent producer id (a few hundred ms).
            await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => Task.Run(ProduceOnce)));
        }

        int threadsAfter = (int)ProcessProbe.SettleTo(() => ProcessProbe.KafkaThreadCount(), threadsBefore, TimeSpan.FromSeconds(10));
        long heapAfter = ProcessProbe.SettleTo(ProcessProbe.NativeHeapInUse, heapBefore + 2 * 1024 * 1024, TimeSpan.FromSeconds(10));
        output.WriteLine($"librdkafka and worker threads {threadsBefore} -> {threadsAfter}; native heap in use {heapBefore} -> {heapAfter} bytes");
        Assert.True(threadsAfter == threadsBefore, $"librdkafka and worker threads {threadsBefore} -> {threadsAfter}");
        Assert.True(heapAfter - heapBefore < 2 * 1024 * 1024, $"native heap grew {heapAfter - heapBefore} bytes over 200 producers");
    }

    private async Task ProduceOnce()
    {
        await using var producer = new KafkaProducer(Producers.Options(_cluster, o => o.MemoryBudgetBytes = 8L * 1024 * 1024));
        var topic = producer.GetTopic("churn");
        Assert.True(producer.TryProduce(topic, "k"u8, "v"u8));
    }

    [Fact]
    public async Task An_undisposed_unreachable_producer_is_closed_by_its_finalizer_after_delivering()
    {
        _cluster.CreateTopic("abandoned", 1);
        await ProduceOnce();
        // The threads that were there before: an earlier test's client may still be going away meanwhile (abandoned
        // consumers are destroyed in the background), so the check is on the abandoned producer's own threads, the new ones.
        HashSet<int> threadsBefore = ProcessProbe.KafkaThreadIds();

        WeakReference abandoned = Abandon(_cluster.BootstrapServers);
        for (int i = 0; i < 50 && abandoned.IsAlive; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }

        Assert.False(abandoned.IsAlive, "the producer should be collectable: workers must not root it");
        int left = (int)ProcessProbe.SettleTo(() => ProcessProbe.KafkaThreadIds().Except(threadsBefore).Count(), 0, TimeSpan.FromSeconds(30));
        Assert.True(left == 0, $"{left} of the abandoned producer's Kafka threads still run: the finalizer did not stop the workers");

        // What it accepted before being dropped was delivered on the way out.
        var received = ReadBack.All(_cluster.BootstrapServers, "abandoned", 1, 100);
        Assert.Equal(Enumerable.Range(0, 100).Select(i => $"{i}"), received.Select(m => Encoding.UTF8.GetString(m.Value)));
    }

    [Fact]
    public async Task An_idle_producer_sleeps_and_wakes_for_the_next_message()
    {
        _cluster.CreateTopic("idle", 1);
        await using var producer = new KafkaProducer(Producers.Options(_cluster, o => o.MaxClients = 2));
        var topic = producer.GetTopic("idle");
        Assert.True(producer.TryProduce(topic, "k"u8, "before"u8));
        await Producers.FlushOrFail(producer);

        // Correctness, not timing (idle CPU is the benchmark's to measure): with nothing to do, every worker goes
        // into its deep sleep, waiting for a wake-up instead of polling.
        var slept = new bool[producer.Engine.ClientCount];
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (slept.Any(s => !s))
        {
            Assert.True(DateTime.UtcNow < deadline, $"workers never went into their deep sleep: {string.Join(", ", slept)}");
            for (int i = 0; i < slept.Length; i++)
            {
                slept[i] |= producer.Engine.ClientAt(i).IsSleeping;
            }

            await Task.Delay(5);
        }

        // A message while they sleep wakes its worker (the request thread signals the eventfd once).
        while (!producer.Engine.ClientAt(producer.Engine.TopicAt(0).Layout!.ClientOfPartition[0]).IsSleeping)
        {
            Assert.True(DateTime.UtcNow < deadline, "the worker did not go back to sleep");
            await Task.Delay(1);
        }

        DeliveryResult result = await producer.ProduceAsync(topic, default, "after"u8.ToArray()).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(1, result.Offset);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference Abandon(string bootstrap)
    {
        var producer = new KafkaProducer(new KafkaProducerOptions { BootstrapServers = bootstrap, MemoryBudgetBytes = 8L * 1024 * 1024 });
        var topic = producer.GetTopic("abandoned");
        for (int i = 0; i < 100; i++)
        {
            Assert.True(producer.TryProduce(topic, default(ReadOnlySpan<byte>), Encoding.UTF8.GetBytes($"{i}")));
        }

        return new WeakReference(producer);
    }
}

using KafkaFast.Mock;
using KafkaFast.Producer;
using KafkaFast.Tests.Support;
using Xunit.Abstractions;

namespace KafkaFast.Tests.Producer;

/// <summary>The request path allocates nothing per message in steady state.</summary>
[Collection(SerialTests.Name)]
public sealed class ProducerAllocationTests(ITestOutputHelper output) : IDisposable
{
    private const int Calls = 100_000;
    private readonly KafkaMockCluster _cluster = new(1);

    public void Dispose() => _cluster.Dispose();

    [Fact]
    public async Task Single_batch_text_and_json_calls_allocate_nothing_on_the_calling_thread()
    {
        _cluster.CreateTopic("alloc", 4);
        await using var producer = new KafkaProducer(Producers.Options(_cluster, o => o.MemoryBudgetBytes = 256L * 1024 * 1024));
        var topic = producer.GetTopic("alloc");
        byte[] key = new byte[16], value = new byte[100];
        var batch = Enumerable.Range(0, 100).Select(i => new ProducerMessage(key, value)).ToArray();
        KafkaHeader[] headers = [new("trace", new byte[16])];

        void Single() { for (int i = 0; i < Calls; i++) { key[0] = (byte)i; Assert.True(producer.TryProduce(topic, key, value)); } }
        void WithHeaders() { for (int i = 0; i < Calls / 10; i++) { Assert.True(producer.TryProduce(topic, key, value, headers)); } }
        void Batch() { for (int i = 0; i < Calls / 100; i++) { Assert.True(producer.TryProduceBatch(topic, batch) == 100); } }
        void Text() { for (int i = 0; i < Calls / 10; i++) { Assert.True(producer.TryProduce(topic, "key", "some text value")); } }
        void Json() { for (int i = 0; i < Calls / 10; i++) { Assert.True(producer.TryProduceJson(topic, key, i, static (w, n) => { w.WriteStartObject(); w.WriteNumber("n", n); w.WriteEndObject(); })); } }

        foreach (var (name, run) in new (string, Action)[] { ("single", Single), ("headers", WithHeaders), ("batch", Batch), ("text", Text), ("json", Json) })
        {
            // Warm-up and measurement on one thread (no await in between): JIT, pools and per-thread scratch are
            // one-time costs of a thread, not of a message.
            run();
            Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(30)));
            long before = GC.GetAllocatedBytesForCurrentThread();
            run();
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            output.WriteLine($"{name}: {allocated} bytes allocated on the calling thread");
            Assert.Equal(0, allocated);
            Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(30)));
        }
    }

    [Fact]
    public async Task Awaited_produce_allocates_at_most_16_bytes_per_message_amortized()
    {
        _cluster.CreateTopic("alloc-async", 4);
        await using var producer = new KafkaProducer(Producers.Options(_cluster));
        var topic = producer.GetTopic("alloc-async");
        var message = new ProducerMessage(new byte[16], new byte[100]);

        async Task Loops(int perLoop)
        {
            await Task.WhenAll(Enumerable.Range(0, 64).Select(async _ =>
            {
                for (int i = 0; i < perLoop; i++)
                {
                    await producer.ProduceAsync(topic, message);
                }
            }));
        }

        await Loops(200); // warm-up: grows the awaiter pool
        long before = GC.GetTotalAllocatedBytes(precise: true);
        await Loops(1500);
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        double perMessage = allocated / (64.0 * 1500);
        output.WriteLine($"ProduceAsync: {allocated} bytes in the whole process for {64 * 1500} awaited messages = {perMessage:F2} B/message");
        Assert.True(perMessage <= 16, $"{perMessage:F2} bytes per awaited message");
    }
}

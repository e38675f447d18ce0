using System.Text;
using Confluent.Kafka;
using KafkaFast.Consumer;
using KafkaFast.Mock;
using KafkaFast.Producer;
using KafkaFast.Producer.Partitioning;
using KafkaFast.Tests.Consumer;
using KafkaFast.Tests.Support;

namespace KafkaFast.Tests.Producer;

/// <summary>
/// Kafka tells a null key from an empty one and a null value (a tombstone) from an empty one; so does every produce
/// call, checked by reading back with Confluent.Kafka and with our consumer.
/// </summary>
public sealed class ProducerNullKeyTests : IDisposable
{
    private readonly KafkaMockCluster _cluster = new(1);

    public ProducerNullKeyTests() => _cluster.SetGroupInitialRebalanceDelay(TimeSpan.Zero);

    public void Dispose() => _cluster.Dispose();

    /// <summary>What each produced message should read back as: a label (the first header), then key and value, null or bytes.</summary>
    private sealed record Expected(string Label, byte[]? Key, byte[]? Value);

    [Fact]
    public async Task Every_call_sends_null_and_empty_keys_and_values_as_given()
    {
        const string Topic = "nulls";
        _cluster.CreateTopic(Topic, 1);
        await using var producer = new KafkaProducer(Producers.Options(_cluster));
        var topic = producer.GetTopic(Topic);
        byte[] k = "key"u8.ToArray(), v = "value"u8.ToArray();
        var expected = new List<Expected>();
        var stamp = new DateTimeOffset(2024, 1, 2, 3, 4, 5, TimeSpan.Zero);

        // Every message carries a "label" header so that each can be found again, except the ones that test the
        // batch path (rd_kafka_produce_batch: no headers, no timestamp), which are labelled by value or key instead.
        KafkaHeader[] Label(string label) => [new("label", Encoding.UTF8.GetBytes(label))];
        void Expect(string label, byte[]? key, byte[]? value) => expected.Add(new Expected(label, key, value));

        Assert.True(producer.TryProduce(topic, [], v, Label("bytes, empty key")));
        Expect("bytes, empty key", [], v);
        Assert.True(producer.TryProduce(topic, v, Label("bytes, no key")));
        Expect("bytes, no key", null, v);
        Assert.True(producer.TryProduce(topic, k, [], Label("bytes, empty value")));
        Expect("bytes, empty value", k, []);
        Assert.True(producer.TryProduceTombstone(topic, k, Label("tombstone")));
        Expect("tombstone", k, null);
        Assert.True(producer.TryProduceTombstone(topic, [], Label("tombstone, empty key")));
        Expect("tombstone, empty key", [], null);
        Assert.True(producer.TryProduce(topic, "", "text", Label("text, empty key")));
        Expect("text, empty key", [], "text"u8.ToArray());
        Assert.True(producer.TryProduce(topic, "text", Label("text, no key")));
        Expect("text, no key", null, "text"u8.ToArray());
        Assert.True(producer.TryProduce(topic, v, partition: 0, timestamp: stamp)); // produceva without headers
        Expect("(timestamp) no key", null, v);
        Assert.True(producer.TryProduceTombstone(topic, "ts-tombstone"u8, timestamp: stamp));
        Expect("(timestamp) tombstone", "ts-tombstone"u8.ToArray(), null);

        // Batch path (no headers): labelled by content.
        Assert.Equal(4, producer.TryProduceBatch(topic,
        [
            new ProducerMessage("batch-keyless"u8.ToArray()),
            new ProducerMessage(ReadOnlyMemory<byte>.Empty, "batch-empty-key"u8.ToArray()),
            ProducerMessage.Tombstone("batch-tombstone"u8.ToArray()),
            new ProducerMessage(default, default) { IsKeyNull = true, IsValueNull = true },
        ]));
        Expect("(batch) no key", null, "batch-keyless"u8.ToArray());
        Expect("(batch) empty key", [], "batch-empty-key"u8.ToArray());
        Expect("(batch) tombstone", "batch-tombstone"u8.ToArray(), null);
        Expect("(batch) null key and value", null, null);
        Assert.True(producer.TryProduce(topic, "single-keyless"u8)); // fire-and-forget, batch path
        Expect("(single) no key", null, "single-keyless"u8.ToArray());
        Assert.True(producer.TryProduceTombstone(topic, "single-tombstone"u8));
        Expect("(single) tombstone", "single-tombstone"u8.ToArray(), null);

        // Serialize-in-place and awaitable calls.
        Assert.True(producer.TryProduceJson(topic, 1, static (w, n) => w.WriteNumberValue(n), headers: Label("json, no key")));
        Expect("json, no key", null, "1"u8.ToArray());
        Assert.True(producer.TryProduceJson(topic, [], 2, static (w, n) => w.WriteNumberValue(n), headers: Label("json, empty key")));
        Expect("json, empty key", [], "2"u8.ToArray());
        Assert.True(producer.TryProduce(topic, 3, static (w, n) => { w.GetSpan(1)[0] = (byte)('0' + n); w.Advance(1); }, headers: Label("writer, no key")));
        Expect("writer, no key", null, "3"u8.ToArray());
        await producer.ProduceAsync(topic, ProducerMessage.Tombstone(k) with { Headers = Label("async tombstone") }).AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        Expect("async tombstone", k, null);
        await producer.ProduceAsync(topic, new ProducerMessage(v) { Headers = Label("async, no key") }).AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        Expect("async, no key", null, v);
        await producer.ProduceAsync(topic, ReadOnlyMemory<byte>.Empty, ReadOnlyMemory<byte>.Empty).AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        Expect("(async) empty key, empty value", [], []);
        Assert.True(await producer.EnqueueAsync(topic, new ProducerMessage(v) { Headers = Label("enqueue, no key") }).AsTask().WaitAsync(TimeSpan.FromSeconds(30)));
        Expect("enqueue, no key", null, v);

        await Producers.FlushOrFail(producer);
        Assert.Equal(expected.Count, producer.GetStatistics().Delivered);

        string[] wanted = [.. expected.Select(e => $"{e.Label}: key {Show(e.Key)}, value {Show(e.Value)}")];

        // Confluent.Kafka, an independent client, sees null and empty apart.
        var confluent = ReadBack.All(_cluster.BootstrapServers, Topic, 1, expected.Count);
        Assert.Equal(wanted, expected.Select((e, i) =>
            $"{e.Label}: key {Show(confluent[i].IsKeyNull ? null : confluent[i].Key)}, value {Show(confluent[i].IsValueNull ? null : confluent[i].Value)}"));

        // So does ours (ConsumedMessage.IsKeyNull / IsValueNull).
        using var consumer = new KafkaConsumer(ConsumerTestSupport.Options(_cluster, ConsumerTestSupport.Unique("nulls")));
        consumer.Subscribe(Topic);
        var ours = ConsumerTestSupport.ConsumeCount(consumer, expected.Count).OrderBy(m => m.Offset).ToList();
        Assert.Equal(wanted, expected.Select((e, i) => $"{e.Label}: key {Show(ours[i].Key)}, value {Show(ours[i].Value)}"));
    }

    private static string Show(byte[]? bytes) => bytes is null ? "null" : $"[{Convert.ToHexString(bytes)}]";

    [Fact]
    public async Task A_null_key_or_value_with_bytes_is_refused_with_nothing_accepted()
    {
        _cluster.CreateTopic("null-with-bytes", 1);
        await using var producer = new KafkaProducer(Producers.Options(_cluster));
        var topic = producer.GetTopic("null-with-bytes");
        var key = Assert.Throws<ArgumentException>(() => { _ = producer.ProduceAsync(topic, new ProducerMessage("k"u8.ToArray(), "v"u8.ToArray()) { IsKeyNull = true }).AsTask(); });
        Assert.Contains("IsKeyNull = true but its key has 1 bytes", key.Message, StringComparison.Ordinal);
        var value = Assert.Throws<ArgumentException>(() => producer.TryProduceBatch(topic, [new ProducerMessage("v"u8.ToArray()), ProducerMessage.Tombstone("k"u8.ToArray()) with { Value = "x"u8.ToArray() }]));
        Assert.Contains("Message 1 of the batch has IsValueNull = true but its value has 1 bytes", value.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => { _ = producer.EnqueueAsync(topic, new ProducerMessage("v"u8.ToArray()) { IsValueNull = true }).AsTask(); });
        Assert.Equal(0, producer.GetStatistics().Accepted);

        Assert.True(producer.TryProduce(topic, "still works"u8));
        await Producers.FlushOrFail(producer);
        Assert.Equal(1, producer.GetStatistics().Delivered);
    }

    [Fact]
    public async Task An_empty_key_is_hashed_and_a_null_key_is_not_as_librdkafka_partitions_them()
    {
        // murmur2_random (the Java client's partitioner): an empty key is hashed to one partition, a null key is spread.
        const int Partitions = 8;
        _cluster.CreateTopic("empty-key-hash", Partitions);
        await using var producer = new KafkaProducer(Producers.Options(_cluster, o =>
        {
            o.Partitioner = PartitionerType.Murmur2Random;
            o.StickyPartitioningLinger = TimeSpan.FromMilliseconds(10);
        }));
        var topic = producer.GetTopic("empty-key-hash");
        int hashed = (int)((KeyHashes.Murmur2([]) & 0x7FFFFFFF) % Partitions);

        var emptyKeyed = await producer.ProduceAsync(topic, ReadOnlyMemory<byte>.Empty, "e"u8.ToArray()).AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(hashed, emptyKeyed.Partition);

        // Confluent's producer (librdkafka's own partitioner) agrees about the empty key.
        using (var confluent = new ProducerBuilder<byte[]?, byte[]?>(new ProducerConfig { BootstrapServers = _cluster.BootstrapServers, Partitioner = Partitioner.Murmur2Random }).Build())
        {
            var report = await confluent.ProduceAsync("empty-key-hash", new Message<byte[]?, byte[]?> { Key = [], Value = "c"u8.ToArray() }).WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(hashed, report.Partition.Value);
        }

        // Null keys follow the sticky partition, which moves: over time they reach more than one partition.
        var partitions = new HashSet<int>();
        for (int i = 0; i < 200 && partitions.Count < 2; i++)
        {
            var keyless = await producer.ProduceAsync(topic, new ProducerMessage("n"u8.ToArray())).AsTask().WaitAsync(TimeSpan.FromSeconds(30));
            partitions.Add(keyless.Partition);
            await Task.Delay(15); // past the 10 ms sticky window
        }

        Assert.True(partitions.Count >= 2, $"200 keyless messages all went to partition(s) {string.Join(", ", partitions)}");
    }
}

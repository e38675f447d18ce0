using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using KafkaFast.Mock;
using KafkaFast.Producer;
using KafkaFast.Tests.Support;

namespace KafkaFast.Tests.Producer;

/// <summary>Bytes in = bytes out, read back by an independent consumer (Confluent.Kafka).</summary>
public sealed class ProducerRoundTripTests : IDisposable
{
    private readonly KafkaMockCluster _cluster = new(3);

    public void Dispose() => _cluster.Dispose();

    /// <summary>
    /// With librdkafka's default message.copy.max.bytes (payloads up to 64 KiB copied into the request) and with 0 (every
    /// payload referenced in the slab until its delivery report: docs/PRODUCER.md, "Zero-copy and message.copy.max.bytes").
    /// </summary>
    [Theory]
    [InlineData(null)]
    [InlineData("0")]
    public async Task Keys_values_from_0_bytes_to_1_MiB_and_headers_round_trip(string? copyMaxBytes)
    {
        _cluster.CreateTopic("sizes", 1);
        await using var producer = new KafkaProducer(Producers.Options(_cluster, o =>
        {
            o.MessageMaxBytes = 2 * 1024 * 1024;
            if (copyMaxBytes is not null)
            {
                o.Properties["message.copy.max.bytes"] = copyMaxBytes;
            }
        }));
        var topic = producer.GetTopic("sizes");
        int[] sizes = [0, 1, 7, 8, 47, 48, 100, 1000, 4095, 4096, 65_536, 500_000, 1024 * 1024];
        var random = new Random(42);
        var sent = new List<(byte[] Key, byte[] Value, KafkaHeader[] Headers)>();
        foreach (int size in sizes)
        {
            byte[] key = new byte[Math.Min(size, 300)];
            byte[] value = new byte[size];
            random.NextBytes(key);
            random.NextBytes(value);
            KafkaHeader[] headers = size % 2 == 0 ? [] : [new("trace", "abc"u8.ToArray()), new("empty", Array.Empty<byte>()), new("ünï", new byte[] { 0, 1, 2 })];
            Assert.True(producer.TryProduce(topic, key, value, headers));
            sent.Add((key, value, headers));
        }

        await Producers.FlushOrFail(producer);
        var received = ReadBack.All(_cluster.BootstrapServers, "sizes", 1, sizes.Length);
        for (int i = 0; i < sizes.Length; i++)
        {
            Assert.Equal(sent[i].Key, received[i].Key);
            Assert.Equal(sent[i].Value, received[i].Value);
            Assert.Equal(sent[i].Headers.Select(h => (h.Key, h.Value.ToArray())), received[i].Headers);
            Assert.Equal(i, received[i].Offset);
        }
    }

    [Fact]
    public async Task Explicit_partitions_and_timestamps_are_kept()
    {
        _cluster.CreateTopic("explicit", 4);
        await using var producer = new KafkaProducer(Producers.Options(_cluster));
        var topic = producer.GetTopic("explicit");
        var stamp = new DateTimeOffset(2024, 5, 6, 7, 8, 9, 123, TimeSpan.Zero);
        for (int i = 0; i < 40; i++)
        {
            Assert.True(producer.TryProduce(topic, "k"u8, Encoding.UTF8.GetBytes(i.ToString()), partition: i % 4, timestamp: i % 3 == 0 ? stamp : null));
        }

        await Producers.FlushOrFail(producer);
        var received = ReadBack.All(_cluster.BootstrapServers, "explicit", 4, 40);
        foreach (var m in received)
        {
            int i = int.Parse(Encoding.UTF8.GetString(m.Value));
            Assert.Equal(i % 4, m.Partition);
            if (i % 3 == 0)
            {
                Assert.Equal(stamp.UtcDateTime, m.Timestamp);
            }
        }
    }

    [Theory]
    [InlineData(PartitionerType.ConsistentRandom, "consistent_random")]
    [InlineData(PartitionerType.Murmur2Random, "murmur2_random")]
    [InlineData(PartitionerType.Fnv1aRandom, "fnv1a_random")]
    public async Task Keyed_messages_land_where_librdkafkas_partitioner_puts_them(PartitionerType type, string librdkafkaName)
    {
        const int Partitions = 7;
        const int Keys = 300;
        string ours = "ours-" + librdkafkaName, theirs = "theirs-" + librdkafkaName;
        _cluster.CreateTopic(ours, Partitions);
        _cluster.CreateTopic(theirs, Partitions);
        await using (var producer = new KafkaProducer(Producers.Options(_cluster, o => o.Partitioner = type)))
        {
            var topic = producer.GetTopic(ours);
            for (int k = 0; k < Keys; k++)
            {
                Assert.True(producer.TryProduce(topic, Encoding.UTF8.GetBytes($"key-{k}-{k * 7919}"), "v"u8));
            }

            await Producers.FlushOrFail(producer);
        }

        var config = new ProducerConfig { BootstrapServers = _cluster.BootstrapServers };
        config.Set("partitioner", librdkafkaName);
        using (var confluent = new ProducerBuilder<byte[], byte[]>(config).Build())
        {
            for (int k = 0; k < Keys; k++)
            {
                confluent.Produce(theirs, new Message<byte[], byte[]> { Key = Encoding.UTF8.GetBytes($"key-{k}-{k * 7919}"), Value = "v"u8.ToArray() });
            }

            confluent.Flush(TimeSpan.FromSeconds(30));
        }

        var oursByKey = ReadBack.All(_cluster.BootstrapServers, ours, Partitions, Keys).ToDictionary(m => Encoding.UTF8.GetString(m.Key), m => m.Partition);
        var theirsByKey = ReadBack.All(_cluster.BootstrapServers, theirs, Partitions, Keys).ToDictionary(m => Encoding.UTF8.GetString(m.Key), m => m.Partition);
        Assert.Equal(theirsByKey.OrderBy(p => p.Key), oursByKey.OrderBy(p => p.Key));
        Assert.True(oursByKey.Values.Distinct().Count() > 1, "keys should spread over partitions");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public async Task Order_per_partition_holds_with_one_or_several_clients(int clients)
    {
        const int Partitions = 6, Keys = 50, PerKey = 200;
        string name = $"order-{clients}";
        _cluster.CreateTopic(name, Partitions);
        await using var producer = new KafkaProducer(Producers.Options(_cluster, o => o.MaxClients = clients));
        var topic = producer.GetTopic(name);

        // Several request threads at once, each owning some keys: per key, sequence numbers must arrive in order.
        await Parallel.ForAsync(0, 5, async (thread, _) =>
        {
            for (int seq = 0; seq < PerKey; seq++)
            {
                for (int k = thread; k < Keys; k += 5)
                {
                    while (!producer.TryProduce(topic, Encoding.UTF8.GetBytes($"key{k}"), BitConverter.GetBytes(seq)))
                    {
                        await Task.Yield();
                    }
                }
            }
        });
        await Producers.FlushOrFail(producer);

        var received = ReadBack.All(_cluster.BootstrapServers, name, Partitions, Keys * PerKey);
        foreach (var byKey in received.GroupBy(m => Encoding.UTF8.GetString(m.Key)))
        {
            Assert.Single(byKey.Select(m => m.Partition).Distinct());
            Assert.Equal(Enumerable.Range(0, PerKey), byKey.OrderBy(m => m.Offset).Select(m => BitConverter.ToInt32(m.Value)));
        }

        var stats = producer.GetStatistics();
        Assert.Equal(Keys * PerKey, stats.Accepted);
        Assert.Equal(Keys * PerKey, stats.Delivered);
        Assert.Equal(0, stats.Failed);
    }

    [Fact]
    public async Task Batch_call_accepts_all_in_order_with_headers_and_partitions()
    {
        _cluster.CreateTopic("batch", 3);
        await using var producer = new KafkaProducer(Producers.Options(_cluster));
        var topic = producer.GetTopic("batch");
        var messages = Enumerable.Range(0, 1000).Select(i => new ProducerMessage(Encoding.UTF8.GetBytes($"k{i % 10}"), Encoding.UTF8.GetBytes($"v{i}"))
        {
            Headers = i % 100 == 0 ? new[] { new KafkaHeader("h", Encoding.UTF8.GetBytes($"{i}")) } : default,
            Partition = i % 250 == 0 ? 2 : KafkaPartition.Any,
        }).ToArray();
        Assert.Equal(1000, producer.TryProduceBatch(topic, messages));
        await Producers.FlushOrFail(producer);

        var received = ReadBack.All(_cluster.BootstrapServers, "batch", 3, 1000);
        var byValue = received.ToDictionary(m => Encoding.UTF8.GetString(m.Value));
        for (int i = 0; i < 1000; i++)
        {
            var m = byValue[$"v{i}"];
            Assert.Equal($"k{i % 10}", Encoding.UTF8.GetString(m.Key));
            if (i % 100 == 0)
            {
                Assert.Equal($"{i}", Encoding.UTF8.GetString(Assert.Single(m.Headers).Value));
            }

            if (i % 250 == 0)
            {
                Assert.Equal(2, m.Partition);
            }
        }

        foreach (var partition in received.GroupBy(m => m.Partition))
        {
            var sequence = partition.OrderBy(m => m.Offset).Select(m => int.Parse(Encoding.UTF8.GetString(m.Value)[1..])).ToList();
            Assert.Equal(sequence.Order(), sequence);
        }
    }

    [Fact]
    public async Task ProduceAsync_returns_the_offsets_the_broker_assigned()
    {
        _cluster.CreateTopic("awaited", 2);
        await using var producer = new KafkaProducer(Producers.Options(_cluster));
        var topic = producer.GetTopic("awaited");
        var results = await Task.WhenAll(Enumerable.Range(0, 200).Select(async i =>
            await producer.ProduceAsync(topic, new ProducerMessage(default, Encoding.UTF8.GetBytes($"{i}")) { Partition = i % 2 })));

        var received = ReadBack.All(_cluster.BootstrapServers, "awaited", 2, 200);
        var byValue = received.ToDictionary(m => Encoding.UTF8.GetString(m.Value));
        for (int i = 0; i < 200; i++)
        {
            Assert.Equal("awaited", results[i].Topic);
            Assert.Equal(i % 2, results[i].Partition);
            Assert.Equal(byValue[$"{i}"].Offset, results[i].Offset);
            Assert.Equal(byValue[$"{i}"].Partition, results[i].Partition);
            // librdkafka's mock broker answers with LogAppendTime 1234 ms; a real broker with the create time.
            Assert.True(results[i].TimestampType == TimestampType.LogAppendTime || results[i].Timestamp > DateTimeOffset.UtcNow.AddMinutes(-5), $"timestamp {results[i]}");
        }

        Assert.Equal(200, results.Select(r => (r.Partition, r.Offset)).Distinct().Count());
    }

    [Fact]
    public async Task Text_and_serialize_in_place_values_round_trip()
    {
        _cluster.CreateTopic("text", 1);
        await using var producer = new KafkaProducer(Producers.Options(_cluster));
        var topic = producer.GetTopic("text");
        Assert.True(producer.TryProduce(topic, "clé", "välue ✓"));
        Assert.True(producer.TryProduceJson(topic, "json"u8, 42, static (w, n) =>
        {
            w.WriteStartObject();
            w.WriteNumber("n", n);
            w.WriteString("path", "/api/ünicode");
            w.WriteEndObject();
        }));
        string big = new('x', 20_000); // outgrows the default reservation: written again at its real size
        Assert.True(producer.TryProduceJson(topic, "big"u8, big, static (w, s) =>
        {
            w.WriteStartObject();
            w.WriteString("s", s);
            w.WriteEndObject();
        }));
        Assert.True(producer.TryProduce(topic, "raw"u8, 7, static (buffer, n) =>
        {
            var span = buffer.GetSpan(3);
            span[0] = (byte)'a';
            span[1] = (byte)('0' + n);
            buffer.Advance(2);
        }));
        Assert.True(producer.TryProduce(topic, "empty"u8, ReadOnlySpan<byte>.Empty));
        KafkaHeader[] trace = [new("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"u8.ToArray())];
        Assert.True(producer.TryProduceJson(topic, "traced"u8, 1, static (w, n) => w.WriteNumberValue(n), headers: trace));
        Assert.True(producer.TryProduceJson(topic, "traced-big"u8, big, static (w, s) => w.WriteStringValue(s), headers: trace));

        await Producers.FlushOrFail(producer);
        var received = ReadBack.All(_cluster.BootstrapServers, "text", 1, 7);
        Assert.Equal("1", Encoding.UTF8.GetString(received[5].Value));
        Assert.Equal(trace[0].Value.ToArray(), Assert.Single(received[5].Headers).Value);
        Assert.Equal(big, JsonSerializer.Deserialize<string>(received[6].Value));
        Assert.Equal("traceparent", Assert.Single(received[6].Headers).Key);
        Assert.Equal("clé", Encoding.UTF8.GetString(received[0].Key));
        Assert.Equal("välue ✓", Encoding.UTF8.GetString(received[0].Value));
        using (var doc = JsonDocument.Parse(received[1].Value))
        {
            Assert.Equal(42, doc.RootElement.GetProperty("n").GetInt32());
            Assert.Equal("/api/ünicode", doc.RootElement.GetProperty("path").GetString());
        }

        using (var doc = JsonDocument.Parse(received[2].Value))
        {
            Assert.Equal(big, doc.RootElement.GetProperty("s").GetString());
        }

        Assert.Equal("a7", Encoding.UTF8.GetString(received[3].Value));
        Assert.Empty(received[4].Value);
    }

    [Fact]
    public async Task A_serializer_that_throws_leaves_nothing_behind_and_later_messages_flow()
    {
        _cluster.CreateTopic("throws", 1);
        await using var producer = new KafkaProducer(Producers.Options(_cluster));
        var topic = producer.GetTopic("throws");
        Assert.True(producer.TryProduce(topic, "a"u8, "1"u8));
        Assert.Throws<InvalidOperationException>(() => producer.TryProduceJson(topic, "b"u8, 0, static (w, _) =>
        {
            w.WriteStartObject();
            throw new InvalidOperationException("serializer failed");
        }));
        Assert.True(producer.TryProduce(topic, "c"u8, "3"u8));
        await Producers.FlushOrFail(producer);
        var received = ReadBack.All(_cluster.BootstrapServers, "throws", 1, 2);
        Assert.Equal(["a", "c"], received.Select(m => Encoding.UTF8.GetString(m.Key)));
        Assert.Equal(2, producer.GetStatistics().Accepted);
    }
}

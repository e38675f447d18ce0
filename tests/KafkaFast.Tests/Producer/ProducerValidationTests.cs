using KafkaFast.Mock;
using KafkaFast.Producer;
using KafkaFast.Tests.Support;

namespace KafkaFast.Tests.Producer;

/// <summary>Bad input gets a clear error naming the problem; the producer keeps working for everyone else.</summary>
public sealed class ProducerValidationTests : IDisposable
{
    private readonly KafkaMockCluster _cluster = new(1);

    public void Dispose() => _cluster.Dispose();

    public static TheoryData<string, Action<KafkaProducerOptions>, string> BadOptions => new()
    {
        { "no bootstrap", o => o.BootstrapServers = "", "BootstrapServers" },
        { "zero clients", o => o.MaxClients = 0, "MaxClients" },
        { "too many clients", o => o.MaxClients = 65, "MaxClients" },
        { "tiny budget", o => o.MemoryBudgetBytes = 1024, "MemoryBudgetBytes" },
        { "negative linger", o => o.Linger = TimeSpan.FromMilliseconds(-1), "Linger" },
        { "negative sticky period", o => o.StickyPartitioningLinger = TimeSpan.FromMilliseconds(-1), "StickyPartitioningLinger" },
        { "sticky period past librdkafka's range", o => o.StickyPartitioningLinger = TimeSpan.FromSeconds(901), "StickyPartitioningLinger" },
        { "bad sticky pass-through", o => o.Properties["sticky.partitioning.linger.ms"] = "-5", "sticky.partitioning.linger.ms" },
        { "acks 1 with idempotence", o => o.Acks = Acks.Leader, "EnableIdempotence requires Acks = All" },
        { "unknown enum", o => o.Compression = (CompressionType)42, "Compression" },
        { "tiny message.max.bytes", o => o.MessageMaxBytes = 10, "MessageMaxBytes" },
        { "bad pass-through value", o => o.Properties["linger.ms"] = "soon", "linger.ms" },
        { "unknown pass-through", o => o.Properties["no.such.property"] = "1", "No such configuration property" },
        { "reserved pass-through", o => o.Properties["delivery.report.only.error"] = "true", "delivery.report.only.error" },
        { "zero failure buffer", o => o.FailureBufferCapacity = 0, "FailureBufferCapacity" },
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void Invalid_configuration_throws_naming_the_setting(string _, Action<KafkaProducerOptions> configure, string expected)
    {
        var options = Producers.Options(_cluster, configure);
        var error = Assert.ThrowsAny<ArgumentException>(() => new KafkaProducer(options));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Librdkafka_reasons_are_passed_on_and_secrets_are_never_shown()
    {
        var options = Producers.Options(_cluster, o =>
        {
            o.Properties["sasl.password"] = "hunter2";
            o.Properties["ssl.key.password"] = "hunter3";
            o.Properties["acks"] = "most";
        });
        var error = Assert.ThrowsAny<ArgumentException>(() => new KafkaProducer(options));
        Assert.Contains("acks", error.Message, StringComparison.Ordinal);
        Assert.Contains("Invalid value", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter", options.ToString(), StringComparison.Ordinal);
        Assert.Contains("sasl.password=***", options.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_messages_are_refused_clearly_and_the_producer_keeps_working()
    {
        _cluster.CreateTopic("valid", 2);
        await using var producer = new KafkaProducer(Producers.Options(_cluster, o => o.MessageMaxBytes = 10_000));
        var topic = producer.GetTopic("valid");

        var tooLarge = Assert.Throws<ArgumentException>(() => producer.TryProduce(topic, "k"u8, new byte[10_001]));
        Assert.Contains("message.max.bytes", tooLarge.Message, StringComparison.Ordinal);
        var headersTooLarge = Assert.Throws<ArgumentException>(() => producer.TryProduce(topic, "k"u8, new byte[5000], [new KafkaHeader("h", new byte[6000])]));
        Assert.Contains("message.max.bytes", headersTooLarge.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => producer.TryProduceJson(topic, "k"u8, 0, static (w, _) => w.WriteStringValue(new string('x', 20_000))));
        var partition = Assert.Throws<ArgumentOutOfRangeException>(() => producer.TryProduce(topic, "k"u8, "v"u8, partition: 2));
        Assert.Contains("0..1", partition.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => producer.TryProduce(topic, "k"u8, "v"u8, partition: -5));
        Assert.Throws<ArgumentOutOfRangeException>(() => producer.TryProduce(topic, "k"u8, "v"u8, timestamp: DateTimeOffset.UnixEpoch));

        // A bad message anywhere in a batch: nothing of the batch is accepted.
        ProducerMessage[] batch = [new(default, "ok"u8.ToArray()), new(default, new byte[20_000]), new(default, "ok"u8.ToArray())];
        var batchError = Assert.Throws<ArgumentException>(() => producer.TryProduceBatch(topic, batch));
        Assert.Contains("Message 1 of the batch", batchError.Message, StringComparison.Ordinal);

        foreach (string name in new[] { "", "has space", "slash/name", new string('t', 250), "." })
        {
            Assert.ThrowsAny<ArgumentException>(() => producer.GetTopic(name));
        }

        await using var other = new KafkaProducer(Producers.Options(_cluster));
        Assert.Throws<ArgumentException>(() => producer.TryProduce(other.GetTopic("valid"), "k"u8, "v"u8));

        Assert.True(producer.TryProduce(topic, "k"u8, "still works"u8));
        await Producers.FlushOrFail(producer);
        var stats = producer.GetStatistics();
        Assert.Equal(1, stats.Accepted);
        Assert.Equal(1, stats.Delivered);
        Assert.Equal(4, stats.Rejected[ProduceRejectReason.MessageTooLarge]);
        Assert.Equal(2, stats.Rejected[ProduceRejectReason.InvalidPartition]);
        Assert.Single(ReadBack.All(_cluster.BootstrapServers, "valid", 2, 1));
    }

    [Fact]
    public async Task A_bad_message_anywhere_in_a_long_batch_throws_with_nothing_accepted()
    {
        _cluster.CreateTopic("whole-batch", 2);
        await using var producer = new KafkaProducer(Producers.Options(_cluster, o => o.MessageMaxBytes = 10_000));
        var topic = producer.GetTopic("whole-batch");
        static ProducerMessage Good(int i) => new(BitConverter.GetBytes(i), new byte[100]);
        static ProducerMessage[] Batch(int start, int count) => [.. Enumerable.Range(start, count).Select(Good)];

        // Past the first 256 (the old per-chunk validation published those before checking the rest).
        ProducerMessage[] tooLarge = Batch(0, 300);
        tooLarge[280] = new ProducerMessage(default, new byte[20_000]);
        Assert.Contains("Message 280 of the batch", Assert.Throws<ArgumentException>(() => producer.TryProduceBatch(topic, tooLarge)).Message, StringComparison.Ordinal);

        ProducerMessage[] badPartition = Batch(0, 300);
        badPartition[281] = badPartition[281] with { Partition = 2 };
        Assert.Contains("message 281 of the batch", Assert.Throws<ArgumentOutOfRangeException>(() => producer.TryProduceBatch(topic, badPartition)).Message, StringComparison.Ordinal);

        ProducerMessage[] badTimestamp = Batch(0, 300);
        badTimestamp[299] = badTimestamp[299] with { Timestamp = DateTimeOffset.UnixEpoch };
        Assert.Contains("message 299 of the batch", Assert.Throws<ArgumentOutOfRangeException>(() => producer.TryProduceBatch(topic, badTimestamp)).Message, StringComparison.Ordinal);

        ProducerMessage[] nullKeyWithBytes = Batch(0, 300);
        nullKeyWithBytes[290] = nullKeyWithBytes[290] with { IsKeyNull = true };
        Assert.Contains("Message 290 of the batch has IsKeyNull", Assert.Throws<ArgumentException>(() => producer.TryProduceBatch(topic, nullKeyWithBytes)).Message, StringComparison.Ordinal);

        ProducerMessage[] nullHeaderName = Batch(0, 300);
        nullHeaderName[270] = nullHeaderName[270] with { Headers = new KafkaHeader[] { new(null!, default) } };
        Assert.Contains("Message 270 of the batch", Assert.Throws<ArgumentException>(() => producer.TryProduceBatch(topic, nullHeaderName)).Message, StringComparison.Ordinal);

        // Longer than the per-thread scratch (written in chunks): still validated whole first.
        ProducerMessage[] huge = Batch(0, 20_000);
        huge[19_999] = new ProducerMessage(default, new byte[20_000]);
        Assert.Contains("Message 19999 of the batch", Assert.Throws<ArgumentException>(() => producer.TryProduceBatch(topic, huge)).Message, StringComparison.Ordinal);
        Assert.Equal(0, producer.GetStatistics().Accepted);

        // The corrected batches go through whole, once each.
        Assert.Equal(300, producer.TryProduceBatch(topic, Batch(0, 300)));
        Assert.Equal(20_000, producer.TryProduceBatch(topic, Batch(300, 20_000)));
        await Producers.FlushOrFail(producer);
        var stats = producer.GetStatistics();
        Assert.Equal(20_300, stats.Accepted);
        Assert.Equal(20_300, stats.Delivered);
        Assert.Equal(2, stats.Rejected[ProduceRejectReason.MessageTooLarge]);
        Assert.Equal(1, stats.Rejected[ProduceRejectReason.InvalidPartition]);
        var received = ReadBack.All(_cluster.BootstrapServers, "whole-batch", 2, 20_300, TimeSpan.FromSeconds(60));
        Assert.Equal(Enumerable.Range(0, 20_300), received.Select(m => BitConverter.ToInt32(m.Key)).Order());
    }

    [Fact]
    public async Task Use_after_dispose_throws_ObjectDisposedException()
    {
        var producer = new KafkaProducer(Producers.Options(_cluster));
        var topic = producer.GetTopic("after-dispose");
        await producer.DisposeAsync();
        Assert.Throws<ObjectDisposedException>(() => producer.TryProduce(topic, "k"u8, "v"u8));
        Assert.Throws<ObjectDisposedException>(() => producer.TryProduceBatch(topic, [new ProducerMessage(default, "v"u8.ToArray())]));
        Assert.Throws<ObjectDisposedException>(() => producer.GetTopic("another"));
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await producer.ProduceAsync(topic, default, "v"u8.ToArray()));
        Assert.Equal(4, producer.GetStatistics().Rejected[ProduceRejectReason.Closed]);
        await producer.DisposeAsync(); // idempotent
        producer.Dispose();
    }
}

using KafkaFast.Mock;
using KafkaFast.Producer;
using KafkaFast.Tests.Support;

namespace KafkaFast.Tests.Producer;

/// <summary>
/// message.max.bytes as librdkafka counts it (rd_kafka_msg_new0: 36 bytes of worst-case v2 record framing + key +
/// value + headers as serialized, each header's name + value + the zig-zag varints of both lengths): a message that
/// passes the call's check is never refused by librdkafka for its size, one byte more is refused at the call.
/// </summary>
public sealed class ProducerSizeLimitTests : IDisposable
{
    private const int Max = 10_000;
    private const int Framing = 36;
    private static readonly byte[] s_key = "ten-bytes!"u8.ToArray();

    // Name 64 bytes (varint of 128: 2 bytes) + value 64 bytes (2 bytes): 132 bytes as librdkafka serializes it.
    private static readonly KafkaHeader[] s_headers = [new(new string('h', 64), new byte[64])];
    private const int HeadersWire = 64 + 64 + 2 + 2;

    private readonly KafkaMockCluster _cluster = new(1);

    public void Dispose() => _cluster.Dispose();

    /// <summary>The value length that puts a message with <see cref="s_key"/> (and optionally <see cref="s_headers"/>) exactly at the limit.</summary>
    private static int ValueAtLimit(bool headers = false) => Max - Framing - s_key.Length - (headers ? HeadersWire : 0);

    [Fact]
    public async Task A_message_exactly_at_the_limit_is_delivered_by_every_call()
    {
        _cluster.CreateTopic("at-limit", 1);
        await using var producer = new KafkaProducer(Producers.Options(_cluster, o => o.MessageMaxBytes = Max));
        var topic = producer.GetTopic("at-limit");
        int value = ValueAtLimit();

        Assert.True(producer.TryProduce(topic, s_key, new byte[value]));
        Assert.True(producer.TryProduce(topic, s_key, new byte[ValueAtLimit(headers: true)], s_headers));
        Assert.True(producer.TryProduce(topic, new byte[Max - Framing]));
        Assert.True(producer.TryProduce(topic, "ten-chars!", new string('v', value)));
        Assert.True(producer.TryProduceTombstone(topic, new byte[Max - Framing]));
        Assert.Equal(1, producer.TryProduceBatch(topic, [new ProducerMessage(s_key, new byte[value])]));
        Assert.True(producer.TryProduce(topic, s_key, value, static (w, n) => { w.GetSpan(n)[..n].Fill(7); w.Advance(n); }, sizeHint: value));
        Assert.True(producer.TryProduceJson(topic, s_key, value - 2, static (w, n) => w.WriteStringValue(new string('j', n)))); // + 2 quotes
        var result = await producer.ProduceAsync(topic, new ProducerMessage(s_key, new byte[value])).AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(8, result.Offset);

        await Producers.FlushOrFail(producer);
        var stats = producer.GetStatistics();
        Assert.True(stats.Failed == 0, $"failed at delivery: {string.Join(", ", stats.FailedByError)}");
        Assert.Equal(9, stats.Delivered);
        var received = ReadBack.All(_cluster.BootstrapServers, "at-limit", 1, 9);
        Assert.Equal([value, ValueAtLimit(headers: true), Max - Framing, value, 0, value, value, value, value], received.Select(m => m.Value.Length));
        Assert.True(received[4].IsValueNull);
    }

    [Fact]
    public async Task One_byte_over_the_limit_is_refused_at_the_call_by_every_call()
    {
        _cluster.CreateTopic("over-limit", 1);
        await using var producer = new KafkaProducer(Producers.Options(_cluster, o => o.MessageMaxBytes = Max));
        var topic = producer.GetTopic("over-limit");
        int over = ValueAtLimit() + 1;

        var refusals = new List<ArgumentException>
        {
            Assert.Throws<ArgumentException>(() => producer.TryProduce(topic, s_key, new byte[over])),
            Assert.Throws<ArgumentException>(() => producer.TryProduce(topic, s_key, new byte[ValueAtLimit(headers: true) + 1], s_headers)),
            Assert.Throws<ArgumentException>(() => producer.TryProduce(topic, new byte[Max - Framing + 1])),
            Assert.Throws<ArgumentException>(() => producer.TryProduce(topic, "ten-chars!", new string('v', over))),
            Assert.Throws<ArgumentException>(() => producer.TryProduceTombstone(topic, new byte[Max - Framing + 1])),
            Assert.Throws<ArgumentException>(() => producer.TryProduceBatch(topic, [new ProducerMessage(s_key, new byte[over])])),
            Assert.Throws<ArgumentException>(() => producer.TryProduce(topic, s_key, over, static (w, n) => { w.GetSpan(n)[..n].Fill(7); w.Advance(n); }, sizeHint: over)),
            Assert.Throws<ArgumentException>(() => producer.TryProduceJson(topic, s_key, over - 2, static (w, n) => w.WriteStringValue(new string('j', n)))),
            Assert.Throws<ArgumentException>(() => { _ = producer.ProduceAsync(topic, new ProducerMessage(s_key, new byte[over])).AsTask(); }),
        };

        Assert.All(refusals, e => Assert.Contains("message.max.bytes", e.Message, StringComparison.Ordinal));
        Assert.Contains($"is {Max + 1} bytes as librdkafka counts it", refusals[0].Message, StringComparison.Ordinal);

        // Refused at the call means nothing reaches librdkafka: no failure at delivery, and the producer still works.
        Assert.True(producer.TryProduce(topic, s_key, new byte[over - 1]));
        await Producers.FlushOrFail(producer);
        var stats = producer.GetStatistics();
        Assert.Equal(refusals.Count, stats.Rejected[ProduceRejectReason.MessageTooLarge]);
        Assert.Equal(1, stats.Accepted);
        Assert.Equal(1, stats.Delivered);
        Assert.Equal(0, stats.Failed);
    }
}

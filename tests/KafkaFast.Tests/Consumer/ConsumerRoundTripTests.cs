using System.Diagnostics;
using System.Text;
using Confluent.Kafka;
using KafkaFast.Consumer;
using static KafkaFast.Tests.Consumer.ConsumerTestSupport;

namespace KafkaFast.Tests.Consumer;

/// <summary>Produce with an independent client, consume with KafkaFast: every field must come back exactly.</summary>
public class ConsumerRoundTripTests
{
    [Theory]
    [InlineData(CommitMode.Auto, true)]
    [InlineData(CommitMode.Manual, true)]
    [InlineData(CommitMode.Auto, false)]
    public async Task Every_key_value_header_partition_and_offset_comes_back_in_order(CommitMode mode, bool kafkaFastProducer)
    {
        using var cluster = NewCluster(brokers: 3);
        string topic = Unique("roundtrip");
        cluster.CreateTopic(topic, partitions: 4);
        List<ProducedMessage> produced = kafkaFastProducer
            ? await ProduceWithKafkaFast(cluster, topic, count: 2000, partitions: 4)
            : Produce(cluster, topic, count: 2000, partitions: 4);
        DateTimeOffset producedAround = DateTimeOffset.UtcNow;

        using var consumer = new KafkaConsumer(Options(cluster, Unique("group"), mode));
        consumer.Subscribe(topic);
        List<ReceivedMessage> received = ConsumeCount(consumer, produced.Count);

        Assert.Equal(produced.Count, received.Count);
        var byPosition = produced.ToDictionary(p => (p.Partition, p.Offset));
        foreach (ReceivedMessage r in received)
        {
            Assert.Equal(topic, r.Topic);
            Assert.True(byPosition.Remove((r.Partition, r.Offset), out ProducedMessage? p), $"unexpected or duplicate message {r.Partition}@{r.Offset}");
            Assert.Equal(p!.Key, r.Key);
            Assert.Equal(p.Value, r.Value);
            Assert.Equal(p.Headers.Length, r.Headers.Length);
            for (int h = 0; h < p.Headers.Length; h++)
            {
                Assert.Equal(p.Headers[h].Name, r.Headers[h].Name);
                Assert.Equal(p.Headers[h].Value, r.Headers[h].Value);
            }

            Assert.Equal(TimestampType.CreateTime, r.Timestamp.Type);
            if (p.Timestamp is { } explicitTime)
            {
                Assert.Equal(explicitTime.ToUnixTimeMilliseconds(), r.Timestamp.UnixTimeMilliseconds);
            }
            else
            {
                Assert.InRange(r.Timestamp.ToDateTimeOffset(), producedAround.AddHours(-1), producedAround.AddHours(1));
            }
        }

        Assert.Empty(byPosition);

        // Order per partition: offsets strictly increasing, and in production order (the "index" header).
        foreach (var partition in received.GroupBy(r => r.Partition))
        {
            long lastOffset = -1;
            int lastIndex = -1;
            foreach (ReceivedMessage r in partition)
            {
                Assert.True(r.Offset > lastOffset, $"partition {partition.Key}: offset {r.Offset} after {lastOffset}");
                int index = BitConverter.ToInt32(r.Headers[0].Value);
                Assert.True(index > lastIndex, $"partition {partition.Key}: message {index} after {lastIndex}");
                lastOffset = r.Offset;
                lastIndex = index;
            }
        }

        Assert.Equal(4, received.Select(r => r.Partition).Distinct().Count());
        consumer.Close();
    }

    [Fact]
    public void Null_and_empty_keys_values_and_headers_are_told_apart()
    {
        using var cluster = NewCluster();
        string topic = Unique("nulls");
        cluster.CreateTopic(topic, partitions: 1);
        using (var producer = new ProducerBuilder<byte[]?, byte[]?>(new ProducerConfig { BootstrapServers = cluster.BootstrapServers }).Build())
        {
            var tp = new Confluent.Kafka.TopicPartition(topic, 0);
            producer.Produce(tp, new Message<byte[]?, byte[]?> { Key = null, Value = null });
            producer.Produce(tp, new Message<byte[]?, byte[]?> { Key = [], Value = [] });
            producer.Produce(tp, new Message<byte[]?, byte[]?> { Key = [1], Value = [2], Headers = new Headers { { "n", null }, { "e", [] }, { "n", [7] } } });
            Assert.Equal(0, producer.Flush(Patience));
        }

        using var consumer = new KafkaConsumer(Options(cluster, Unique("group")));
        consumer.Subscribe(topic);
        var received = new List<ReceivedMessage>();
        PollUntil(consumer, () => received.Count >= 3, "three messages", sink: received);
        // Re-read in place to check the views themselves, not only the copies (each while its batch is alive).
        consumer.Seek(new TopicPartitionOffset(topic, 0, 0));
        var checkedOffsets = new HashSet<long>();
        var clock = Stopwatch.StartNew();
        while (checkedOffsets.Count < 3)
        {
            Assert.True(clock.Elapsed < Patience, $"messages did not come back after seeking to 0 (checked {checkedOffsets.Count})");
            using ConsumedBatch batch = consumer.ConsumeBatch(10, TimeSpan.FromMilliseconds(200));
            foreach (ConsumedMessage m in batch)
            {
                switch (m.Offset)
                {
                    case 0:
                        Assert.True(m.IsKeyNull);
                        Assert.True(m.IsValueNull);
                        Assert.True(m.Key.IsEmpty);
                        Assert.Equal(0, m.Headers.Count);
                        break;
                    case 1:
                        Assert.False(m.IsKeyNull);
                        Assert.False(m.IsValueNull);
                        Assert.True(m.Value.IsEmpty);
                        break;
                    case 2:
                        ConsumedHeaders headers = m.Headers;
                        Assert.Equal(3, headers.Count);
                        Assert.True(headers[0].IsValueNull);
                        Assert.False(headers[1].IsValueNull);
                        Assert.True(headers[1].Value.IsEmpty);
                        Assert.True(headers.TryGetLastValue("n", out ReadOnlySpan<byte> last));
                        Assert.Equal([7], last.ToArray());
                        Assert.True(headers.TryGetLastValue("e"u8, out ReadOnlySpan<byte> e));
                        Assert.True(e.IsEmpty);
                        Assert.False(headers.TryGetLastValue("missing", out _));
                        Assert.Equal("n", headers[2].Name);
                        Assert.True(headers[2].NameUtf8.SequenceEqual("n"u8));
                        Assert.Equal(topic, Encoding.UTF8.GetString(m.TopicUtf8));
                        Assert.Equal(new TopicPartitionOffset(topic, 0, 2), m.TopicPartitionOffset);
                        break;
                }

                checkedOffsets.Add(m.Offset);
            }
        }
    }

    [Fact]
    public async Task A_batch_returns_as_soon_as_messages_are_available_not_at_its_timeout()
    {
        using var cluster = NewCluster();
        string topic = Unique("latency");
        cluster.CreateTopic(topic, partitions: 1);
        using var consumer = new KafkaConsumer(Options(cluster, Unique("group")));
        consumer.Subscribe(topic);
        PollUntil(consumer, () => consumer.Assignment.Count == 1, "assignment");

        Produce(cluster, topic, count: 3, partitions: 1);
        // Asks for far more than exist and waits without limit: the calls must come back with what is there (a call
        // that waited for a full batch or its timeout would never return, and the WaitAsync below would fail).
        Task<int> reading = Task.Factory.StartNew(() =>
        {
            int received = 0;
            while (received < 3)
            {
                using ConsumedBatch batch = consumer.ConsumeBatch(10_000, Timeout.InfiniteTimeSpan);
                Assert.False(batch.IsEmpty, "an empty batch from a call without a deadline");
                received += batch.Count;
            }

            return received;
        }, TaskCreationOptions.LongRunning);
        try
        {
            Assert.Equal(3, await reading.WaitAsync(Patience));
        }
        finally
        {
            consumer.Close(); // wakes the call if it is stuck, so the test ends either way
        }
    }

    [Fact]
    public async Task Async_batches_arrive_without_a_blocked_thread_and_the_sequence_honours_cancellation()
    {
        using var cluster = NewCluster();
        string topic = Unique("async");
        cluster.CreateTopic(topic, partitions: 2);
        List<ProducedMessage> produced = Produce(cluster, topic, count: 500, partitions: 2);

        using var consumer = new KafkaConsumer(Options(cluster, Unique("group")));
        consumer.Subscribe(topic);
        using var cts = new CancellationTokenSource(Patience);
        var seen = new HashSet<(int, long)>();
        await foreach (ConsumedBatch batch in consumer.ConsumeBatchesAsync(100, cts.Token))
        {
            using (batch)
            {
                Assert.InRange(batch.Count, 1, 100);
                foreach (ConsumedMessage m in batch)
                {
                    Assert.True(seen.Add((m.Partition, m.Offset)), $"duplicate {m}");
                }
            }

            if (seen.Count == produced.Count)
            {
                break;
            }
        }

        Assert.Equal(produced.Count, seen.Count);

        // Nothing more to read: the wait is pending (no thread blocked) until cancelled.
        using var cancel = new CancellationTokenSource();
        ValueTask<ConsumedBatch> waiting = consumer.ConsumeBatchAsync(10, cancel.Token);
        Assert.False(waiting.IsCompleted, "ConsumeBatchAsync completed with nothing to read");
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await waiting);

        // And it wakes up when a message arrives.
        ValueTask<ConsumedBatch> next = consumer.ConsumeBatchAsync(10, cts.Token);
        Produce(cluster, topic, count: 1, partitions: 1, start: 10_000);
        using ConsumedBatch one = await next;
        Assert.Single(one);
        Assert.Equal(Value(10_000), one[0].Value.ToArray());
    }

    [Fact]
    public void Subscribes_to_topic_lists_and_regex_patterns()
    {
        using var cluster = NewCluster();
        string prefix = Unique("re").Replace("-", "_", StringComparison.Ordinal);
        string a = prefix + ".orders", b = prefix + ".payments", other = Unique("other");
        cluster.CreateTopic(a, 1);
        cluster.CreateTopic(b, 2);
        cluster.CreateTopic(other, 1);
        Produce(cluster, a, 10, 1);
        Produce(cluster, b, 20, 2);
        Produce(cluster, other, 5, 1);

        using (var byPattern = new KafkaConsumer(Options(cluster, Unique("group"))))
        {
            byPattern.Subscribe("^" + prefix.Replace(".", "\\.", StringComparison.Ordinal) + "\\..*");
            Assert.Single(byPattern.Subscription);
            var received = ConsumeCount(byPattern, 30);
            Assert.Equal(10, received.Count(r => r.Topic == a));
            Assert.Equal(20, received.Count(r => r.Topic == b));
            Assert.DoesNotContain(received, r => r.Topic == other);
        }

        using var byList = new KafkaConsumer(Options(cluster, Unique("group")));
        byList.Subscribe([a, other]);
        Assert.Equal(new[] { a, other }.Order(), byList.Subscription.Order());
        var fromList = ConsumeCount(byList, 15);
        Assert.Equal(10, fromList.Count(r => r.Topic == a));
        Assert.Equal(5, fromList.Count(r => r.Topic == other));
    }
}

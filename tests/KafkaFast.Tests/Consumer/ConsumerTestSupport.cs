using System.Diagnostics;
using System.Text;
using Confluent.Kafka;
using KafkaFast.Consumer;
using KafkaFast.Mock;
using KafkaFast.Producer;
using AutoOffsetReset = KafkaFast.Consumer.AutoOffsetReset;
using PartitionAssignmentStrategy = KafkaFast.Consumer.PartitionAssignmentStrategy;

namespace KafkaFast.Tests.Consumer;

/// <summary>A message as produced by the tests, to compare consumed views against.</summary>
internal sealed record ProducedMessage(string Topic, int Partition, long Offset, byte[]? Key, byte[]? Value, (string Name, byte[]? Value)[] Headers)
{
    /// <summary>The timestamp the broker stored, when the producer reported it.</summary>
    public DateTimeOffset? Timestamp { get; init; }
}

/// <summary>A consumed message copied out of its batch (for assertions after the batch is disposed).</summary>
internal sealed record ReceivedMessage(string Topic, int Partition, long Offset, byte[]? Key, byte[]? Value, (string Name, byte[]? Value)[] Headers, MessageTimestamp Timestamp)
{
    internal static ReceivedMessage Copy(in ConsumedMessage m)
    {
        var headers = new List<(string, byte[]?)>();
        foreach (ConsumedHeader h in m.Headers)
        {
            headers.Add((h.Name, h.IsValueNull ? null : h.Value.ToArray()));
        }

        return new ReceivedMessage(m.Topic, m.Partition, m.Offset, m.IsKeyNull ? null : m.Key.ToArray(), m.IsValueNull ? null : m.Value.ToArray(), [.. headers], m.Timestamp);
    }
}

/// <summary>Shared helpers: a mock cluster with no rebalance delay, producing test data, bounded consume loops.</summary>
internal static class ConsumerTestSupport
{
    internal static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Deadline for a group to settle after members join or leave. Longer than <see cref="Patience"/>: on a saturated
    /// machine the embedded cluster's thread can stall for seconds, the mock then expires members' sessions (2 s in
    /// these tests) and drops a JoinGroup it was holding, and librdkafka re-sends it only after max.poll.interval.ms
    /// + 3 s (33 s here). A deadline, not a duration: a healthy run settles in about a second.
    /// </summary>
    internal static readonly TimeSpan GroupPatience = TimeSpan.FromSeconds(90);

    private static int s_unique;

    internal static KafkaMockCluster NewCluster(int brokers = 1)
    {
        var cluster = new KafkaMockCluster(brokers);
        cluster.SetGroupInitialRebalanceDelay(TimeSpan.Zero);
        return cluster;
    }

    /// <summary>A new cluster with one topic holding <paramref name="messages"/> messages (round-robin over its partitions).</summary>
    internal static (KafkaMockCluster Cluster, string Topic) TopicWith(int messages, int partitions, string prefix = "topic")
    {
        KafkaMockCluster cluster = NewCluster();
        string topic = Unique(prefix);
        cluster.CreateTopic(topic, partitions);
        Produce(cluster, topic, messages, partitions);
        return (cluster, topic);
    }

    internal static string Unique(string prefix) => $"{prefix}-{Interlocked.Increment(ref s_unique)}-{Environment.ProcessId}";

    internal static KafkaConsumerOptions Options(KafkaMockCluster cluster, string groupId, CommitMode commitMode = CommitMode.Auto,
        PartitionAssignmentStrategy strategy = PartitionAssignmentStrategy.Range) => new()
    {
        BootstrapServers = cluster.BootstrapServers,
        GroupId = groupId,
        AutoOffsetReset = AutoOffsetReset.Earliest,
        CommitMode = commitMode,
        PartitionAssignmentStrategy = strategy,
        // The mock broker waits session timeout - 1 s for members to rejoin whenever a member joins or leaves a
        // non-empty group (rdkafka_mock_cgrp.c): a short session keeps rebalances in tests to about a second.
        SessionTimeout = TimeSpan.FromSeconds(2),
        MaxPollInterval = TimeSpan.FromSeconds(30),
        Properties =
        {
            ["heartbeat.interval.ms"] = "100",
            ["topic.metadata.refresh.interval.ms"] = "1000",
            ["log_level"] = "3",
        },
    };

    internal static byte[] Key(int i) => Encoding.UTF8.GetBytes($"key-{i}");

    internal static byte[] Value(int i) => Encoding.UTF8.GetBytes($"value-{i}-{new string('x', i % 17)}");

    /// <summary>
    /// Produces <paramref name="count"/> messages round-robin over partitions with Confluent.Kafka's producer (an
    /// independent client on the same librdkafka), with keys, values and two headers; returns them with their offsets.
    /// </summary>
    internal static List<ProducedMessage> Produce(KafkaMockCluster cluster, string topic, int count, int partitions, int start = 0)
    {
        var config = new ProducerConfig { BootstrapServers = cluster.BootstrapServers, LingerMs = 2, EnableIdempotence = false, Acks = Confluent.Kafka.Acks.All };
        using var producer = new ProducerBuilder<byte[]?, byte[]?>(config).Build();
        var results = new ProducedMessage[count];
        var failures = new List<string>();
        for (int n = 0; n < count; n++)
        {
            int i = start + n;
            var headers = new Headers { { "index", BitConverter.GetBytes(i) }, { "source", "confluent"u8.ToArray() } };
            var message = new Message<byte[]?, byte[]?> { Key = Key(i), Value = Value(i), Headers = headers };
            int slot = n;
            producer.Produce(new Confluent.Kafka.TopicPartition(topic, i % partitions), message, report =>
            {
                if (report.Error.IsError)
                {
                    lock (failures)
                    {
                        failures.Add(report.Error.Reason);
                    }
                }

                results[slot] = new ProducedMessage(topic, report.Partition.Value, report.Offset.Value, report.Message.Key, report.Message.Value,
                    [("index", BitConverter.GetBytes(i)), ("source", "confluent"u8.ToArray())]);
            });
        }

        int left = producer.Flush(Patience);
        Assert.True(left == 0, $"{left} messages were not delivered within {Patience}");
        Assert.True(failures.Count == 0, $"delivery failures: {string.Join("; ", failures.Take(5))}");
        return [.. results];
    }

    /// <summary>
    /// Produces <paramref name="count"/> messages round-robin over partitions with the KafkaFast producer, with keys,
    /// values and two headers; returns them with the partition, offset and timestamp from their delivery results.
    /// </summary>
    internal static async Task<List<ProducedMessage>> ProduceWithKafkaFast(KafkaMockCluster cluster, string topic, int count, int partitions)
    {
        await using var producer = new KafkaProducer(new KafkaProducerOptions { BootstrapServers = cluster.BootstrapServers, Linger = TimeSpan.FromMilliseconds(2) });
        KafkaTopic handle = producer.GetTopic(topic);
        var pending = new Task<DeliveryResult>[count];
        for (int i = 0; i < count; i++)
        {
            var message = new ProducerMessage(Key(i), Value(i))
            {
                Partition = i % partitions,
                Headers = new KafkaHeader[] { new("index", BitConverter.GetBytes(i)), new("source", "kafkafast"u8.ToArray()) },
                Timestamp = CreateTime(i),
            };
            pending[i] = producer.ProduceAsync(handle, message).AsTask();
        }

        DeliveryResult[] delivered = await Task.WhenAll(pending).WaitAsync(Patience);
        return [.. delivered.Select((d, i) => new ProducedMessage(d.Topic, d.Partition, d.Offset, Key(i), Value(i),
            [("index", BitConverter.GetBytes(i)), ("source", "kafkafast"u8.ToArray())])
        {
            // Explicit CreateTime per message. (The mock broker answers every produce with LogAppendTime 1234,
            // hard-coded in rdkafka_mock_handlers.c, so the delivery report's timestamp cannot be compared.)
            Timestamp = CreateTime(i),
        })];
    }

    internal static DateTimeOffset CreateTime(int i) => DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000 + i);

    /// <summary>Consumes until <paramref name="done"/> says so, copying messages out; fails clearly after <paramref name="patience"/>.</summary>
    internal static List<ReceivedMessage> ConsumeUntil(KafkaConsumer consumer, Func<List<ReceivedMessage>, bool> done, TimeSpan? patience = null, string? what = null)
    {
        var received = new List<ReceivedMessage>();
        var clock = Stopwatch.StartNew();
        TimeSpan limit = patience ?? Patience;
        while (!done(received))
        {
            Assert.True(clock.Elapsed < limit, $"{what ?? "consuming"}: condition not met within {limit}; received {received.Count} messages so far");
            using ConsumedBatch batch = consumer.ConsumeBatch(500, TimeSpan.FromMilliseconds(200));
            foreach (ConsumedMessage m in batch)
            {
                received.Add(ReceivedMessage.Copy(m));
            }
        }

        return received;
    }

    internal static List<ReceivedMessage> ConsumeCount(KafkaConsumer consumer, int count, TimeSpan? patience = null) =>
        ConsumeUntil(consumer, r => r.Count >= count, patience, $"consuming {count} messages");

    /// <summary>Polls (consume calls with no messages expected to matter) until <paramref name="condition"/> holds.</summary>
    internal static void PollUntil(KafkaConsumer consumer, Func<bool> condition, string what, TimeSpan? patience = null, List<ReceivedMessage>? sink = null)
    {
        var clock = Stopwatch.StartNew();
        TimeSpan limit = patience ?? Patience;
        while (!condition())
        {
            Assert.True(clock.Elapsed < limit, $"{what}: not reached within {limit}");
            using ConsumedBatch batch = consumer.ConsumeBatch(500, TimeSpan.FromMilliseconds(100));
            if (sink is not null)
            {
                foreach (ConsumedMessage m in batch)
                {
                    sink.Add(ReceivedMessage.Copy(m));
                }
            }
        }
    }
}

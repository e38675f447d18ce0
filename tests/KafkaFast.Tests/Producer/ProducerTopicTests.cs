using System.Text;
using KafkaFast.Mock;
using KafkaFast.Producer;
using KafkaFast.Tests.Support;

namespace KafkaFast.Tests.Producer;

/// <summary>
/// Topic lifecycle: a service that starts while the cluster is down (pending topics), GetTopicAsync, and partitions
/// added to a topic while the producer runs.
/// </summary>
public sealed class ProducerTopicTests : IDisposable
{
    private readonly KafkaMockCluster _cluster = new(3);

    public void Dispose() => _cluster.Dispose();

    private KafkaProducerOptions Options(Action<KafkaProducerOptions>? configure = null) => Producers.Options(_cluster, o =>
    {
        o.MetadataTimeout = TimeSpan.FromSeconds(1);
        o.MessageTimeout = TimeSpan.FromMinutes(2);
        o.Properties["reconnect.backoff.max.ms"] = "200";
        configure?.Invoke(o);
    });

    /// <summary>
    /// Started with every broker down: GetTopic returns a pending topic instead of throwing, events are accepted,
    /// and when the cluster returns every one is delivered once, in order per key, across the switch from "pending"
    /// to "partitions known" while writers keep writing (two clients: a partition's later messages must not overtake
    /// the earlier ones that waited in the topic's home client).
    /// </summary>
    [Fact]
    public async Task A_service_started_while_the_cluster_is_down_accepts_events_and_delivers_them_in_order_when_it_returns()
    {
        const int Partitions = 4, Keys = 24, Before = 40, After = 60;
        _cluster.CreateTopic("late", Partitions, replicationFactor: 3);
        _cluster.SetAllBrokers(up: false);
        await using var producer = new KafkaProducer(Options(o => o.MaxClients = 2));

        var topic = await Task.Run(() => producer.GetTopic("late")).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(topic.IsPending);
        Assert.Equal(0, topic.PartitionCount);
        Assert.Contains("late", producer.GetStatistics().PendingTopics);

        int[] next = new int[Keys];
        void Produce(int rounds)
        {
            for (int round = 0; round < rounds; round++)
            {
                for (int k = 0; k < Keys; k++)
                {
                    // Every fourth message has a header and every third goes through the batch call: each path pins alike.
                    byte[] key = Encoding.UTF8.GetBytes($"key{k}");
                    byte[] value = BitConverter.GetBytes(next[k]);
                    bool accepted = (next[k] % 3) switch
                    {
                        0 => producer.TryProduceBatch(topic, [new ProducerMessage(key, value)]) == 1,
                        _ => producer.TryProduce(topic, key, value, next[k] % 4 == 0 ? [new KafkaHeader("h", "x"u8.ToArray())] : default),
                    };
                    Assert.True(accepted, $"refused {k}/{next[k]}: {producer.GetStatistics()}");
                    next[k]++;
                }
            }
        }

        Produce(Before);
        _cluster.SetAllBrokers(up: true);

        // Keep writing while the topic's partitions arrive, and after.
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (topic.IsPending)
        {
            Assert.True(DateTime.UtcNow < deadline, "the topic stayed pending after the cluster returned");
            Produce(1);
            await Task.Delay(20);
        }

        Produce(After);
        Assert.Equal(Partitions, topic.PartitionCount);
        await Producers.FlushOrFail(producer, 90);
        var stats = producer.GetStatistics();
        Assert.Equal(stats.Accepted, stats.Delivered);
        Assert.Empty(stats.PendingTopics);

        int total = next.Sum();
        var received = ReadBack.All(_cluster.BootstrapServers, "late", Partitions, total, TimeSpan.FromSeconds(60));
        foreach (var byKey in received.GroupBy(m => Encoding.UTF8.GetString(m.Key)))
        {
            int k = int.Parse(byKey.Key["key".Length..]);
            Assert.Single(byKey.Select(m => m.Partition).Distinct()); // the partitioner's choice, once known, for every message of the key
            Assert.Equal(Enumerable.Range(0, next[k]), byKey.OrderBy(m => m.Offset).Select(m => BitConverter.ToInt32(m.Value)));
        }
    }

    [Fact]
    public async Task GetTopicAsync_does_not_wait_on_the_calling_thread_and_returns_a_pending_topic_when_the_cluster_is_down()
    {
        _cluster.SetAllBrokers(up: false);
        await using var producer = new KafkaProducer(Options());

        ValueTask<KafkaTopic> resolving = producer.GetTopicAsync("async-late");
        Assert.False(resolving.IsCompleted); // returned at once; the metadata thread does the waiting
        var topic = await resolving.AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(topic.IsPending);
        Assert.Same(topic, producer.GetTopic("async-late"));

        Assert.True(producer.TryProduce(topic, "k"u8, "while down"u8));
        _cluster.SetAllBrokers(up: true);
        await Producers.FlushOrFail(producer, 60);
        Assert.False(topic.IsPending);
        Assert.Equal(4, topic.PartitionCount); // created by the producer with the cluster's default
        Assert.Equal(1, producer.GetStatistics().Delivered);
    }

    [Fact]
    public async Task An_explicit_partition_on_a_pending_topic_is_checked_when_its_partitions_are_known()
    {
        _cluster.CreateTopic("late-explicit", 2);
        _cluster.SetAllBrokers(up: false);
        await using var producer = new KafkaProducer(Options());
        var topic = producer.GetTopic("late-explicit");
        Assert.True(topic.IsPending);

        Assert.Throws<ArgumentOutOfRangeException>(() => producer.TryProduce(topic, default, "x"u8, partition: -5));
        Assert.True(producer.TryProduce(topic, default, "to 1"u8, partition: 1));
        Assert.True(producer.TryProduce(topic, default, "to 5"u8, partition: 5)); // unknown yet: checked later
        Assert.True(producer.TryProduce(topic, default, "any"u8));

        _cluster.SetAllBrokers(up: true);
        await Producers.FlushOrFail(producer, 60);
        var stats = producer.GetStatistics();
        Assert.Equal(3, stats.Accepted);
        Assert.Equal(2, stats.Delivered);
        Assert.Equal(1, stats.Failed);
        Assert.True(producer.Failures.TryRead(out var failure));
        Assert.Equal(KafkaErrorCode.UnknownPartition, failure.Error);
        Assert.Equal(5, failure.Partition);
        Assert.Equal("to 5", Encoding.UTF8.GetString(failure.Value));
        Assert.Contains("partitions 0..1", failure.Reason, StringComparison.Ordinal);

        var received = ReadBack.All(_cluster.BootstrapServers, "late-explicit", 2, 2);
        Assert.Equal(1, received.Single(m => Encoding.UTF8.GetString(m.Value) == "to 1").Partition);
    }

    [Fact]
    public async Task Messages_for_a_topic_that_stays_unreachable_fail_with_a_reason_after_the_message_timeout()
    {
        _cluster.SetAllBrokers(up: false);
        await using var producer = new KafkaProducer(Options(o => o.MessageTimeout = TimeSpan.FromSeconds(2)));
        var topic = producer.GetTopic("never");
        Assert.True(topic.IsPending);
        for (int i = 0; i < 10; i++)
        {
            Assert.True(producer.TryProduce(topic, default, Encoding.UTF8.GetBytes($"m{i}")));
        }

        var awaited = producer.ProduceAsync(topic, default, "awaited"u8.ToArray());
        var error = await Assert.ThrowsAsync<ProduceException>(async () => await awaited.AsTask().WaitAsync(TimeSpan.FromSeconds(60)));
        Assert.Equal(KafkaErrorCode.MessageTimedOut, error.Code);
        Assert.Contains("no metadata", error.Message, StringComparison.Ordinal);

        Assert.Equal(0, await producer.FlushAsync(TimeSpan.FromSeconds(60)));
        var stats = producer.GetStatistics();
        Assert.Equal(11, stats.Failed);
        Assert.Equal(11, stats.FailedByError[KafkaErrorCode.MessageTimedOut]);
        Assert.True(stats.BudgetBytesInUse <= stats.SlabSize, stats.ToString()); // back to the budget (the slab being filled stays)
        int failures = 0;
        while (producer.Failures.TryRead(out var failure))
        {
            Assert.Equal(KafkaErrorCode.MessageTimedOut, failure.Error);
            failures++;
        }

        Assert.Equal(11, failures);
    }

    /// <summary>
    /// Partitions added while the producer runs are used without a restart. The embedded cluster cannot add
    /// partitions to a topic; deleting it and creating it again with more is the nearest it comes (its data goes).
    /// </summary>
    [Fact]
    public async Task Partitions_added_to_a_topic_join_the_partitioner_without_a_restart()
    {
        _cluster.CreateTopic("grow", 2);
        await using var producer = new KafkaProducer(Options(o =>
        {
            o.MaxClients = 2;
            o.Properties["topic.metadata.refresh.interval.ms"] = "300";
        }));
        var topic = producer.GetTopic("grow");
        Assert.Equal(2, topic.PartitionCount);
        Assert.Throws<ArgumentOutOfRangeException>(() => producer.TryProduce(topic, default, "x"u8, partition: 4));
        Assert.True(producer.TryProduce(topic, "k"u8, "before"u8, partition: 1));
        await Producers.FlushOrFail(producer);

        _cluster.DeleteTopic("grow");
        _cluster.CreateTopic("grow", 5);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (topic.PartitionCount < 5)
        {
            Assert.True(DateTime.UtcNow < deadline, $"still {topic.PartitionCount} partitions");
            await Task.Delay(50);
        }

        Assert.True(producer.TryProduce(topic, "k"u8, "to 4"u8, partition: 4)); // a new partition, through its own client
        var keys = Enumerable.Range(0, 200).Select(i => Encoding.UTF8.GetBytes($"key-{i}")).ToArray();
        foreach (byte[] key in keys)
        {
            Assert.True(producer.TryProduce(topic, key, "keyed"u8));
        }

        await Producers.FlushOrFail(producer, 60);
        var stats = producer.GetStatistics();
        Assert.Equal(0, stats.Failed);
        var received = ReadBack.All(_cluster.BootstrapServers, "grow", 5, 201);
        Assert.Equal(4, received.Single(m => Encoding.UTF8.GetString(m.Value) == "to 4").Partition);
        Assert.Contains(received, m => m.Partition >= 2 && Encoding.UTF8.GetString(m.Value) == "keyed"); // keys hash over 5 now
    }
}

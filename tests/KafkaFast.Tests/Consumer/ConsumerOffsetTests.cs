using KafkaFast.Consumer;
using KafkaFast.Mock;

using static KafkaFast.Tests.Consumer.ConsumerTestSupport;

namespace KafkaFast.Tests.Consumer;

/// <summary>Storing and committing (sync, async, per message, per batch, explicit), seek, pause/resume, positions, watermarks.</summary>
public class ConsumerOffsetTests
{
    [Fact]
    public void Commit_per_message_commits_its_offset_plus_one()
    {
        var (cluster, topic) = TopicWith(prefix: "offsets", messages: 10, partitions: 1);
        using var _ = cluster;
        using var consumer = new KafkaConsumer(Options(cluster, Unique("group"), CommitMode.Manual));
        consumer.Subscribe(topic);
        PollUntil(consumer, () => consumer.Assignment.Count == 1, "assignment");
        while (true)
        {
            using ConsumedBatch batch = consumer.ConsumeBatch(100, Patience);
            Assert.False(batch.IsEmpty, "no message within the patience");
            ConsumedMessage third = batch[Math.Min(2, batch.Count - 1)];
            IReadOnlyList<TopicPartitionOffset> committed = consumer.Commit(third);
            Assert.Equal([new TopicPartitionOffset(topic, 0, third.Offset + 1)], committed);
            Assert.Equal(third.Offset + 1, Assert.Single(consumer.Committed(Patience)).Offset);
            break;
        }
    }

    [Fact]
    public async Task CommitAsync_completes_when_the_broker_answers_and_Committed_agrees()
    {
        var (cluster, topic) = TopicWith(prefix: "offsets", messages: 300, partitions: 3);
        using var _ = cluster;
        using var consumer = new KafkaConsumer(Options(cluster, Unique("group"), CommitMode.Manual));
        consumer.Subscribe(topic);
        var received = new List<ReceivedMessage>();
        var pending = new List<Task<IReadOnlyList<TopicPartitionOffset>>>();
        PollUntilWithBatches(consumer, received, batch => pending.Add(consumer.CommitAsync(batch)), 300);

        IReadOnlyList<TopicPartitionOffset>[] results = await Task.WhenAll(pending).WaitAsync(Patience);
        Assert.All(results, Assert.NotEmpty);
        var expected = received.GroupBy(r => r.Partition).Select(g => new TopicPartitionOffset(topic, g.Key, g.Max(r => r.Offset) + 1)).Order().ToList();
        Assert.Equal(expected, consumer.Committed(Patience).Order());

        // Nothing new stored: an async commit completes with nothing committed.
        Assert.Empty(await consumer.CommitAsync().WaitAsync(Patience));

        // Explicit offsets.
        IReadOnlyList<TopicPartitionOffset> back = await consumer.CommitAsync([new TopicPartitionOffset(topic, 1, 5)]).WaitAsync(Patience);
        Assert.Equal([new TopicPartitionOffset(topic, 1, 5)], back);
        Assert.Equal(5, consumer.Committed([new TopicPartition(topic, 1)], Patience)[0].Offset);
    }

    private static void PollUntilWithBatches(KafkaConsumer consumer, List<ReceivedMessage> received, Action<ConsumedBatch> each, int count)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (received.Count < count)
        {
            Assert.True(clock.Elapsed < Patience, $"received {received.Count} of {count}");
            using ConsumedBatch batch = consumer.ConsumeBatch(64, TimeSpan.FromMilliseconds(100));
            if (!batch.IsEmpty)
            {
                received.AddRange(batch.Select(m => ReceivedMessage.Copy(m)));
                each(batch);
            }
        }
    }

    [Fact]
    public void Stored_offsets_are_committed_by_Commit_and_by_Close()
    {
        var (cluster, topic) = TopicWith(prefix: "offsets", messages: 100, partitions: 2);
        using var _ = cluster;
        string group = Unique("group");
        var consumer = new KafkaConsumer(Options(cluster, group, CommitMode.Manual));
        consumer.Subscribe(topic);
        var received = new List<ReceivedMessage>();
        PollUntilWithBatches(consumer, received, batch => batch.StoreOffsets(), 100);
        Assert.All(consumer.Committed(Patience), c => Assert.Equal(KafkaOffset.Unset, c.Offset)); // stored, not committed

        consumer.StoreOffsets([new TopicPartitionOffset(topic, 0, 7)]);
        IReadOnlyList<TopicPartitionOffset> committed = consumer.Commit();
        Assert.Contains(new TopicPartitionOffset(topic, 0, 7), committed);
        Assert.Contains(new TopicPartitionOffset(topic, 1, 50), committed);

        // Commits of stored offsets only move forward (a stored offset at or behind the committed one is skipped).
        consumer.StoreOffsets([new TopicPartitionOffset(topic, 0, 9), new TopicPartitionOffset(topic, 1, 3)]);
        consumer.Close(); // commits what is stored before leaving

        using var reader = new KafkaConsumer(Options(cluster, group, CommitMode.Manual));
        Assert.Equal([new TopicPartitionOffset(topic, 0, 9), new TopicPartitionOffset(topic, 1, 50)],
            reader.Committed([new TopicPartition(topic, 0), new TopicPartition(topic, 1)], Patience));
    }

    [Fact]
    public void Commit_without_an_assignment_is_a_clear_error()
    {
        using var cluster = NewCluster();
        string topic = Unique("unassigned");
        cluster.CreateTopic(topic, 1);
        using var consumer = new KafkaConsumer(Options(cluster, Unique("group"), CommitMode.Manual));
        var e = Assert.Throws<InvalidOperationException>(() => consumer.Commit());
        Assert.Contains("no partitions are assigned", e.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => { _ = consumer.CommitAsync(); }); // thrown at the call, not in the task

        consumer.Subscribe(topic);
        Assert.Throws<InvalidOperationException>(() => consumer.Commit()); // subscribed, but not assigned until a consume call

        // Storing for a partition that is not assigned is refused by librdkafka (__UNKNOWN_PARTITION before the
        // client knows it, __STATE after).
        var store = Assert.Throws<KafkaException>(() => consumer.StoreOffsets([new TopicPartitionOffset(topic, 0, 1)]));
        Assert.Contains(store.Code, new[] { KafkaErrorCode.UnknownPartition, (KafkaErrorCode)(-172) });
        Assert.Contains($"{topic} [0]", store.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Commit_of_a_batch_whose_partitions_were_revoked_fails_with_state()
    {
        var (cluster, topic) = TopicWith(prefix: "offsets", messages: 20, partitions: 1);
        using var _ = cluster;
        using var consumer = new KafkaConsumer(Options(cluster, Unique("group"), CommitMode.Manual));
        consumer.Subscribe(topic);
        PollUntil(consumer, () => consumer.Assignment.Count == 1, "assignment");
        ConsumedBatch batch = consumer.ConsumeBatch(100, Patience);
        try
        {
            Assert.False(batch.IsEmpty);
            consumer.Unsubscribe();
            PollUntil(consumer, () => consumer.Assignment.Count == 0, "revocation");
            var e = Assert.Throws<KafkaException>(() => consumer.StoreOffsets(batch));
            Assert.Equal((KafkaErrorCode)(-172), e.Code);
            Assert.Contains(topic, e.Message, StringComparison.Ordinal);
            Assert.Throws<InvalidOperationException>(() => consumer.Commit());
        }
        finally
        {
            batch.Dispose();
        }
    }

    [Fact]
    public void Seek_moves_the_position_and_Position_reports_the_next_offset()
    {
        var (cluster, topic) = TopicWith(prefix: "offsets", messages: 40, partitions: 2);
        using var _ = cluster;
        using var consumer = new KafkaConsumer(Options(cluster, Unique("group"), CommitMode.Manual));
        consumer.Subscribe(topic);
        ConsumeCount(consumer, 40);
        Assert.Equal([new TopicPartitionOffset(topic, 0, 20), new TopicPartitionOffset(topic, 1, 20)],
            consumer.Position([new TopicPartition(topic, 0), new TopicPartition(topic, 1)]));

        consumer.Seek(new TopicPartitionOffset(topic, 1, 15));
        List<ReceivedMessage> again = ConsumeCount(consumer, 5);
        Assert.Equal([15L, 16, 17, 18, 19], again.Select(r => r.Offset));
        Assert.All(again, r => Assert.Equal(1, r.Partition));

        consumer.Seek([new TopicPartitionOffset(topic, 0, KafkaOffset.Beginning)]);
        Assert.Equal(20, ConsumeCount(consumer, 20).Count(r => r.Partition == 0));

        var notAssigned = Assert.ThrowsAny<KafkaException>(() => consumer.Seek(new TopicPartitionOffset(topic, 7, 0)));
        Assert.Contains($"{topic} [7]", notAssigned.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Paused_partitions_deliver_nothing_until_resumed()
    {
        var (cluster, topic) = TopicWith(prefix: "offsets", messages: 0, partitions: 2);
        using var _ = cluster;
        using var consumer = new KafkaConsumer(Options(cluster, Unique("group"), CommitMode.Manual));
        consumer.Subscribe(topic);
        PollUntil(consumer, () => consumer.Assignment.Count == 2, "assignment");
        consumer.Pause([new TopicPartition(topic, 0)]);
        Produce(cluster, topic, 40, 2);

        List<ReceivedMessage> whilePaused = ConsumeCount(consumer, 20);
        Assert.All(whilePaused, r => Assert.Equal(1, r.Partition));

        consumer.Resume([new TopicPartition(topic, 0)]);
        List<ReceivedMessage> afterResume = ConsumeCount(consumer, 20);
        Assert.All(afterResume, r => Assert.Equal(0, r.Partition));
        Assert.Equal(Enumerable.Range(0, 20).Select(i => (long)i), afterResume.Select(r => r.Offset));
    }

    [Fact]
    public void Watermarks_are_queried_from_the_leader_and_cached_from_fetches()
    {
        var (cluster, topic) = TopicWith(prefix: "offsets", messages: 30, partitions: 3);
        using var _ = cluster;
        using var consumer = new KafkaConsumer(Options(cluster, Unique("group"), CommitMode.Manual));
        Assert.Equal(new WatermarkOffsets(0, 10), consumer.QueryWatermarkOffsets(new TopicPartition(topic, 2), Patience));
        Assert.Equal(new WatermarkOffsets(KafkaOffset.Unset, KafkaOffset.Unset), consumer.GetWatermarkOffsets(new TopicPartition(topic, 2)));

        consumer.Subscribe(topic);
        ConsumeCount(consumer, 30);
        Assert.Equal(10, consumer.GetWatermarkOffsets(new TopicPartition(topic, 0)).High);
        Assert.Throws<KafkaException>(() => consumer.QueryWatermarkOffsets(new TopicPartition(topic, 9), TimeSpan.FromSeconds(5)));
    }
}

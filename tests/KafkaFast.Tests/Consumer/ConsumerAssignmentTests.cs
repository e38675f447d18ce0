using KafkaFast.Consumer;
using KafkaFast.Mock;
using static KafkaFast.Tests.Consumer.ConsumerTestSupport;

namespace KafkaFast.Tests.Consumer;

/// <summary>Manual assignment (no subscription, no rebalances), with and without a group; offsets for times.</summary>
public class ConsumerAssignmentTests
{
    private static KafkaConsumerOptions NoGroup(KafkaMockCluster cluster, AutoOffsetReset reset = AutoOffsetReset.Earliest) => new()
    {
        BootstrapServers = cluster.BootstrapServers,
        AutoOffsetReset = reset,
        Properties = { ["log_level"] = "3" },
    };

    [Fact]
    public void A_consumer_without_a_group_reads_exactly_the_partitions_and_offsets_it_is_given()
    {
        var (cluster, topic) = TopicWith(prefix: "assign", messages: 90, partitions: 3);
        using var _ = cluster;
        using var consumer = new KafkaConsumer(NoGroup(cluster));
        Assert.Null(consumer.GroupId);
        Assert.Equal(CommitMode.Manual, consumer.CommitMode);

        consumer.Assign([new TopicPartitionOffset(topic, 0, 25), new TopicPartitionOffset(topic, 2, KafkaOffset.Beginning)]);
        Assert.Equal([new TopicPartition(topic, 0), new TopicPartition(topic, 2)], consumer.Assignment);
        List<ReceivedMessage> read = ConsumeCount(consumer, 5 + 30);
        Assert.Equal(Enumerable.Range(25, 5).Select(i => (long)i), read.Where(r => r.Partition == 0).Select(r => r.Offset));
        Assert.Equal(Enumerable.Range(0, 30).Select(i => (long)i), read.Where(r => r.Partition == 2).Select(r => r.Offset));
        Assert.DoesNotContain(read, r => r.Partition == 1);
        Assert.Equal([new TopicPartitionOffset(topic, 0, 30), new TopicPartitionOffset(topic, 2, 30)],
            consumer.Position([new TopicPartition(topic, 0), new TopicPartition(topic, 2)]));

        // Add partition 1 (no offset: AutoOffsetReset, as there is no group to ask), keep the others where they are.
        consumer.IncrementalAssign([new TopicPartition(topic, 1)]);
        Assert.Equal(3, consumer.Assignment.Count);
        Produce(cluster, topic, 3, 3, start: 90); // one more message per partition
        List<ReceivedMessage> more = ConsumeCount(consumer, 31 + 2);
        Assert.Equal(Enumerable.Range(0, 31).Select(i => (long)i), more.Where(r => r.Partition == 1).Select(r => r.Offset));
        Assert.Equal([30L], more.Where(r => r.Partition == 0).Select(r => r.Offset));
        Assert.Equal([30L], more.Where(r => r.Partition == 2).Select(r => r.Offset));

        // Remove partition 0: new messages there are no longer read.
        consumer.IncrementalUnassign([new TopicPartition(topic, 0)]);
        Assert.Equal([new TopicPartition(topic, 1), new TopicPartition(topic, 2)], consumer.Assignment);
        Produce(cluster, topic, 3, 3, start: 93);
        List<ReceivedMessage> after = ConsumeCount(consumer, 2);
        Assert.DoesNotContain(after, r => r.Partition == 0);

        // Replace everything, then nothing.
        consumer.Assign([new TopicPartitionOffset(topic, 0, 31)]);
        Assert.Equal([new TopicPartition(topic, 0)], consumer.Assignment);
        Assert.Equal([(0, 31L)], ConsumeCount(consumer, 1).Select(r => (r.Partition, r.Offset)));
        consumer.Unassign();
        Assert.Empty(consumer.Assignment);
        Produce(cluster, topic, 3, 3, start: 96);
        using (ConsumedBatch none = consumer.ConsumeBatch(100, TimeSpan.FromMilliseconds(500)))
        {
            Assert.True(none.IsEmpty);
        }

        consumer.Close();
    }

    [Fact]
    public void Without_a_group_what_needs_one_is_refused_naming_GroupId()
    {
        using var cluster = NewCluster();
        string topic = Unique("nogroup");
        cluster.CreateTopic(topic, 1);
        using var consumer = new KafkaConsumer(NoGroup(cluster));
        foreach (Action call in new Action[]
        {
            () => consumer.Subscribe(topic),
            () => consumer.Commit(),
            () => consumer.Commit([new TopicPartitionOffset(topic, 0, 1)]),
            () => consumer.CommitAsync(),
            () => consumer.StoreOffsets([new TopicPartitionOffset(topic, 0, 1)]),
            () => consumer.Committed([new TopicPartition(topic, 0)], Patience),
        })
        {
            var e = Assert.Throws<InvalidOperationException>(call);
            Assert.Contains("GroupId", e.Message, StringComparison.Ordinal);
        }

        Assert.Contains("no group", consumer.ToString(), StringComparison.Ordinal);
        consumer.Unsubscribe(); // nothing to leave: no error
    }

    [Fact]
    public void A_group_authorization_failure_does_not_disturb_a_consumer_without_a_group()
    {
        var (cluster, topic) = TopicWith(prefix: "assign", messages: 10, partitions: 1);
        using var _ = cluster;
        // A user allowed to read the topic but not to use any group (a kcat-like reader): librdkafka still looks up a
        // coordinator for the private group handle it needs to assign partitions, and is refused.
        cluster.PushRequestErrors(KafkaApiKey.FindCoordinator, KafkaErrorCode.GroupAuthorizationFailed, KafkaErrorCode.GroupAuthorizationFailed);
        using var consumer = new KafkaConsumer(NoGroup(cluster));
        consumer.Assign([new TopicPartition(topic, 0)]);
        Assert.Equal(10, ConsumeCount(consumer, 10).Count);
        using ConsumedBatch tail = consumer.ConsumeBatch(10, TimeSpan.FromMilliseconds(300)); // no consume exception follows
        Assert.True(tail.IsEmpty);
    }

    [Fact]
    public void With_a_group_a_partition_assigned_without_an_offset_starts_at_the_committed_one_and_commits_work()
    {
        var (cluster, topic) = TopicWith(prefix: "assign", messages: 40, partitions: 2);
        using var _ = cluster;
        string group = Unique("group");
        using (var committer = new KafkaConsumer(Options(cluster, group, CommitMode.Manual)))
        {
            committer.Commit([new TopicPartitionOffset(topic, 0, 12)]);
        }

        using var consumer = new KafkaConsumer(Options(cluster, group, CommitMode.Manual));
        consumer.Assign([new TopicPartition(topic, 0), new TopicPartition(topic, 1)]);
        List<ReceivedMessage> read = ConsumeCount(consumer, 8 + 20);
        Assert.Equal(12, read.Where(r => r.Partition == 0).Min(r => r.Offset)); // committed
        Assert.Equal(0, read.Where(r => r.Partition == 1).Min(r => r.Offset));  // nothing committed: AutoOffsetReset (Earliest)

        // A manually assigned consumer of a group stores and commits like a subscribed one.
        Assert.Contains(new TopicPartitionOffset(topic, 1, 20), consumer.Commit([new TopicPartitionOffset(topic, 1, 20)]));
        consumer.StoreOffsets([new TopicPartitionOffset(topic, 0, 19)]);
        Assert.Equal([new TopicPartitionOffset(topic, 0, 19)], consumer.Commit());
        Assert.Equal([new TopicPartitionOffset(topic, 0, 19), new TopicPartitionOffset(topic, 1, 20)],
            consumer.Committed([new TopicPartition(topic, 0), new TopicPartition(topic, 1)], Patience));
    }

    [Fact]
    public void Assign_and_Subscribe_are_exclusive_and_bad_assignments_are_refused()
    {
        var (cluster, topic) = TopicWith(prefix: "assign", messages: 0, partitions: 2);
        using var _ = cluster;
        using var consumer = new KafkaConsumer(Options(cluster, Unique("group")));

        var twice = Assert.Throws<ArgumentException>(() => consumer.Assign([new TopicPartition(topic, 0), new TopicPartition(topic, 0)]));
        Assert.Contains($"{topic} [0] is listed twice", twice.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => consumer.Assign([new TopicPartitionOffset(topic, 0, -7)]));
        Assert.Throws<ArgumentException>(() => consumer.Assign([new TopicPartition("bad topic", 0)]));
        Assert.Throws<ArgumentOutOfRangeException>(() => consumer.Assign([new TopicPartition(topic, -1)]));
        Assert.Throws<ArgumentNullException>(() => consumer.Assign((IEnumerable<TopicPartition>)null!));
        Assert.Empty(consumer.Assignment);

        consumer.Assign([new TopicPartition(topic, 0)]);
        var adding = Assert.ThrowsAny<KafkaException>(() => consumer.IncrementalAssign([new TopicPartition(topic, 0)]));
        Assert.Contains($"{topic} [0]", adding.Message, StringComparison.Ordinal);
        var removing = Assert.ThrowsAny<KafkaException>(() => consumer.IncrementalUnassign([new TopicPartition(topic, 1)]));
        Assert.Contains($"{topic} [1]", removing.Message, StringComparison.Ordinal);
        Assert.Equal([new TopicPartition(topic, 0)], consumer.Assignment); // unchanged by the refused calls
        Assert.Contains("Unassign", Assert.Throws<InvalidOperationException>(() => consumer.Subscribe(topic)).Message, StringComparison.Ordinal);

        consumer.Unassign();
        consumer.Subscribe(topic);
        Assert.Contains("Unsubscribe", Assert.Throws<InvalidOperationException>(() => consumer.Assign([new TopicPartition(topic, 1)])).Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => consumer.Unassign());
        PollUntil(consumer, () => consumer.Assignment.Count == 2, "the group's assignment");

        // From an event handler: refused (the group is assigning).
        consumer.Unsubscribe();
        Exception? fromHandler = null;
        consumer.PartitionsRevoked += (_, _) => fromHandler = Record.Exception(() => consumer.Assign([new TopicPartition(topic, 0)]));
        PollUntil(consumer, () => consumer.Assignment.Count == 0, "the revocation after Unsubscribe");
        Assert.IsType<InvalidOperationException>(fromHandler);
        consumer.Assign([new TopicPartition(topic, 1)]); // allowed once the group's partitions are gone
        Assert.Equal([new TopicPartition(topic, 1)], consumer.Assignment);
    }

    [Fact]
    public void OffsetsForTimes_asks_the_leaders_and_Assign_and_Seek_use_the_answer()
    {
        var (cluster, topic) = TopicWith(prefix: "assign", messages: 30, partitions: 3);
        using var _ = cluster;
        using var consumer = new KafkaConsumer(NoGroup(cluster));
        TopicPartition[] partitions = [new(topic, 2), new(topic, 0), new(topic, 1)];
        DateTimeOffset time = DateTimeOffset.UtcNow.AddMinutes(-10);

        IReadOnlyList<TopicPartitionOffset> offsets = consumer.OffsetsForTimes(partitions, time, Patience);
        Assert.Equal(partitions, offsets.Select(o => o.TopicPartition)); // one answer per partition, in the order asked
        // The embedded cluster answers every lookup by time with "no such message" (librdkafka's mock broker does not
        // implement it: rdkafka_mock_handlers.c ListOffsets, "FIXME: by timestamp"), which the API reports as End;
        // a real broker answers with the first offset at or after the time (here 0: every message is newer).
        Assert.All(offsets, o => Assert.Equal(KafkaOffset.End, o.Offset));

        IReadOnlyList<TopicPartitionOffset> same = consumer.OffsetsForTimes(
            partitions.Select(p => new TopicPartitionTimestamp(p.Topic, p.Partition, time.ToUnixTimeMilliseconds())), Patience);
        Assert.Equal(offsets, same);

        consumer.Assign(offsets); // reads from there: the end
        Produce(cluster, topic, 3, 3, start: 30);
        Assert.Equal(3, ConsumeCount(consumer, 3).Count(r => r.Offset == 10));

        // Seek by time: back to the beginning first, so that landing at the end (the mock's answer) is visible.
        consumer.Seek(new TopicPartitionOffset(topic, 0, KafkaOffset.Beginning));
        consumer.Seek([new TopicPartition(topic, 0)], time, Patience);
        Produce(cluster, topic, 3, 3, start: 33);
        List<ReceivedMessage> next = ConsumeCount(consumer, 3);
        Assert.Equal([11L], next.Where(r => r.Partition == 0).Select(r => r.Offset));

        Assert.Empty(consumer.OffsetsForTimes(Array.Empty<TopicPartitionTimestamp>(), Patience));
        var unknown = Assert.ThrowsAny<KafkaException>(() => consumer.OffsetsForTimes([new TopicPartition(topic, 9)], time, TimeSpan.FromSeconds(10)));
        Assert.Contains($"{topic} [9]", unknown.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => consumer.OffsetsForTimes([new TopicPartitionTimestamp(topic, 0, -5)], Patience));
        Assert.Throws<ArgumentOutOfRangeException>(() => consumer.OffsetsForTimes([new TopicPartition(topic, 0)], time, TimeSpan.FromMilliseconds(-3)));
        Assert.Contains("listed twice", Assert.Throws<ArgumentException>(() => consumer.OffsetsForTimes([new TopicPartition(topic, 0), new TopicPartition(topic, 0)], time, Patience)).Message, StringComparison.Ordinal);
    }
}

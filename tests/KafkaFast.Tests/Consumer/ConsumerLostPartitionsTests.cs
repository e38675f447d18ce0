using KafkaFast.Consumer;
using KafkaFast.Mock;
using static KafkaFast.Tests.Consumer.ConsumerTestSupport;

namespace KafkaFast.Tests.Consumer;

/// <summary>
/// Partitions lost without a rebalance (fenced, session timed out) raise PartitionsLost, not PartitionsRevoked, and
/// nothing is committed for them; the member rejoins and reads again from the committed offsets (at-least-once).
/// </summary>
public class ConsumerLostPartitionsTests
{
    [Theory]
    [InlineData(PartitionAssignmentStrategy.Range)]
    [InlineData(PartitionAssignmentStrategy.CooperativeSticky)]
    public void A_fenced_member_raises_PartitionsLost_instead_of_PartitionsRevoked_and_commits_nothing(PartitionAssignmentStrategy strategy)
    {
        var (cluster, topic) = TopicWith(prefix: "fenced", messages: 40, partitions: 2);
        using var _ = cluster;
        KafkaConsumerOptions options = Options(cluster, Unique("group"), CommitMode.Auto, strategy);
        options.AutoCommitInterval = TimeSpan.FromMinutes(10); // no timed commit: only one at the loss could land
        using var consumer = new KafkaConsumer(options);
        var lost = new List<PartitionsLostEventArgs>();
        var revoked = new List<PartitionsRevokedEventArgs>();
        Exception? commitInLostHandler = null;
        consumer.PartitionsLost += (_, e) =>
        {
            lost.Add(e);
            commitInLostHandler = Record.Exception(() => consumer.Commit());
        };
        consumer.PartitionsRevoked += (_, e) => revoked.Add(e);
        consumer.Error += (_, _) => { }; // the fencing is reported here too; keep stderr quiet
        consumer.Subscribe(topic);
        Assert.Equal(40, ConsumeCount(consumer, 40).Count);
        using (consumer.ConsumeBatch(1, TimeSpan.Zero))
        {
            // This call acknowledged the last batch: every offset is stored, none committed.
        }

        // The coordinator no longer knows the member (as after a session timeout on its side): fenced.
        cluster.StartRequestTracking();
        cluster.PushRequestErrors(KafkaApiKey.Heartbeat, KafkaErrorCode.UnknownMemberId);
        PollUntil(consumer, () => lost.Count > 0, "PartitionsLost after the fencing");

        PartitionsLostEventArgs loss = Assert.Single(lost);
        Assert.Equal([new TopicPartition(topic, 0), new TopicPartition(topic, 1)], loss.Partitions.Order());
        Assert.Equal(strategy == PartitionAssignmentStrategy.CooperativeSticky, loss.IsIncremental);
        Assert.Empty(revoked); // a loss is not a revocation: no handler commits for partitions another member may own
        var refused = Assert.IsType<KafkaException>(commitInLostHandler);
        Assert.Equal(KafkaErrorCode.AssignmentLost, refused.Code);
        Assert.Contains("were lost", refused.Message, StringComparison.Ordinal);

        // The member rejoins; nothing was committed, so it reads everything again from the beginning (at-least-once).
        var again = new List<ReceivedMessage>();
        PollUntil(consumer, () => again.Count >= 40, "everything read again after rejoining", sink: again);
        Assert.Equal(40, again.Select(r => (r.Partition, r.Offset)).Distinct().Count());
        Assert.DoesNotContain(cluster.GetTrackedRequests(), r => r.ApiKey == KafkaApiKey.OffsetCommit);
        Assert.All(consumer.Committed(Patience), c => Assert.Equal(KafkaOffset.Unset, c.Offset));
        Assert.Empty(revoked);
    }

    [Fact]
    public void A_member_whose_session_times_out_while_its_broker_is_down_loses_its_partitions_and_rejoins()
    {
        var (cluster, topic) = TopicWith(prefix: "timedout", messages: 10, partitions: 2);
        using var _ = cluster;
        using var consumer = new KafkaConsumer(Options(cluster, Unique("group"), CommitMode.Manual)); // session timeout 2 s
        var lost = new List<PartitionsLostEventArgs>();
        var revoked = new List<PartitionsRevokedEventArgs>();
        var assigned = new List<PartitionsAssignedEventArgs>();
        consumer.PartitionsLost += (_, e) => lost.Add(e);
        consumer.PartitionsRevoked += (_, e) => revoked.Add(e);
        consumer.PartitionsAssigned += (_, e) => assigned.Add(e);
        consumer.Error += (_, _) => { }; // brokers down: reported there; keep stderr quiet
        consumer.Subscribe(topic);
        Assert.Equal(10, ConsumeCount(consumer, 10).Count);
        consumer.Commit([new TopicPartitionOffset(topic, 0, 2), new TopicPartitionOffset(topic, 1, 2)]); // 5 messages per partition

        cluster.SetBrokerDown(1); // no heartbeat gets through: librdkafka's session timer expires
        PollUntil(consumer, () => lost.Count > 0, "PartitionsLost once the session timed out");
        Assert.Equal(2, lost[0].Partitions.Count);
        Assert.Empty(revoked);
        Assert.Empty(consumer.Assignment);

        cluster.SetBrokerUp(1);
        var again = new List<ReceivedMessage>();
        PollUntil(consumer, () => consumer.Assignment.Count == 2 && again.Count >= 6, "the partitions back and read from the committed offsets", sink: again);
        Assert.True(assigned.Count >= 2, "the partitions were assigned again after the member rejoined");
        Assert.Equal(6, again.Count); // offsets 2..4 of each partition: nothing committed at the loss, nothing skipped
        Assert.All(again, r => Assert.True(r.Offset >= 2, $"{r.Partition}@{r.Offset} is before the committed offset"));
        Assert.Empty(revoked);
    }
}

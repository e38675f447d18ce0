using Confluent.Kafka;
using KafkaFast.Admin;
using KafkaFast.Mock;
using static KafkaFast.Tests.Admin.AdminTestSupport;
using TopicPartition = KafkaFast.TopicPartition;
using TopicPartitionOffset = KafkaFast.TopicPartitionOffset;

namespace KafkaFast.Tests.Admin;

/// <summary>What the embedded cluster serves, checked against an independent client (Confluent.Kafka) where one can look.</summary>
public class AdminClientTests
{
    [Fact(Timeout = 120_000)]
    public async Task Metadata_lists_brokers_and_topics_with_their_partitions_as_Confluent_sees_them()
    {
        using var cluster = new KafkaMockCluster(brokerCount: 3);
        cluster.CreateTopic("admin-meta-a", partitions: 6, replicationFactor: 2);
        cluster.CreateTopic("admin-meta-b", partitions: 1);
        using KafkaAdminClient admin = Client(cluster.BootstrapServers);

        ClusterMetadata metadata = await admin.GetMetadataAsync().WaitAsync(Patience);

        Assert.Equal([1, 2, 3], metadata.Brokers.Select(b => b.Id));
        Assert.All(metadata.Brokers, b => Assert.Equal("127.0.0.1", b.Host));
        Assert.Equal(["admin-meta-a", "admin-meta-b"], metadata.Topics.Select(t => t.Name));
        TopicDescription a = metadata.Topics[0];
        Assert.Equal([0, 1, 2, 3, 4, 5], a.Partitions.Select(p => p.Partition));
        Assert.All(a.Partitions, p => Assert.Equal(2, p.Replicas.Count));

        using var confluent = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = cluster.BootstrapServers }).Build();
        var expected = confluent.GetMetadata("admin-meta-a", Patience).Topics.Single().Partitions.OrderBy(p => p.PartitionId).ToArray();
        Assert.Equal(expected.Select(p => p.Leader), a.Partitions.Select(p => p.Leader));
        Assert.Equal(expected.Select(p => string.Join(",", p.Replicas)), a.Partitions.Select(p => string.Join(",", p.Replicas)));
        Assert.Equal(expected.Select(p => string.Join(",", p.InSyncReplicas)), a.Partitions.Select(p => string.Join(",", p.InSyncReplicas)));

        Assert.Equal(["admin-meta-a", "admin-meta-b"], (await admin.ListTopicsAsync().WaitAsync(Patience)).Select(t => t.Name));
    }

    [Fact(Timeout = 120_000)]
    public async Task ListOffsets_finds_the_earliest_and_latest_offset_of_each_partition()
    {
        using var cluster = new KafkaMockCluster(brokerCount: 2);
        cluster.CreateTopic("admin-offsets", partitions: 3);
        Fill(cluster, "admin-offsets", 5, 0, 12);
        using KafkaAdminClient admin = Client(cluster.BootstrapServers);
        TopicPartition[] partitions = [new("admin-offsets", 2), new("admin-offsets", 0), new("admin-offsets", 1)];

        IReadOnlyList<ListedOffset> latest = await admin.ListOffsetsAsync(partitions, OffsetSpec.Latest).WaitAsync(Patience);
        IReadOnlyList<ListedOffset> earliest = await admin.ListOffsetsAsync(partitions, OffsetSpec.Earliest).WaitAsync(Patience);

        Assert.Equal([(0, 5L), (1, 0L), (2, 12L)], latest.Select(o => (o.Partition.Partition, o.Offset)));
        Assert.Equal([0L, 0L, 0L], earliest.Select(o => o.Offset));
    }

    [Fact(Timeout = 120_000)]
    public async Task ListOffsets_of_a_partition_that_does_not_exist_names_it_in_the_error()
    {
        using var cluster = new KafkaMockCluster(brokerCount: 1);
        cluster.CreateTopic("admin-offsets-missing", partitions: 2);
        using KafkaAdminClient admin = Client(cluster.BootstrapServers);

        var error = await Assert.ThrowsAsync<KafkaAdminException>(() =>
            admin.ListOffsetsAsync([new TopicPartition("admin-offsets-missing", 0), new TopicPartition("admin-offsets-missing", 7)], OffsetSpec.Latest).WaitAsync(Patience));

        Assert.Equal("ListOffsets", error.Operation);
        Assert.Contains("admin-offsets-missing [7]", error.Message, StringComparison.Ordinal);
        Assert.NotEqual(KafkaErrorCode.NoError, error.Code);
    }

    [Fact(Timeout = 120_000)]
    public async Task Altered_group_offsets_are_listed_back_and_seen_by_an_independent_consumer()
    {
        using var cluster = new KafkaMockCluster(brokerCount: 2);
        cluster.CreateTopic("admin-group-offsets", partitions: 3);
        using KafkaAdminClient admin = Client(cluster.BootstrapServers);
        TopicPartitionOffset[] offsets = [new("admin-group-offsets", 2, 7), new("admin-group-offsets", 0, 3)];

        IReadOnlyList<TopicPartitionOffset> altered = await admin.AlterConsumerGroupOffsetsAsync("admin-billing", offsets).WaitAsync(Patience);
        Assert.Equal(offsets.Order(), altered);

        TopicPartition[] all = [new("admin-group-offsets", 0), new("admin-group-offsets", 1), new("admin-group-offsets", 2)];
        IReadOnlyList<TopicPartitionOffset> listed = await admin.ListConsumerGroupOffsetsAsync("admin-billing", all).WaitAsync(Patience);
        Assert.Equal([new("admin-group-offsets", 0, 3), new("admin-group-offsets", 1, KafkaOffset.Unset), new TopicPartitionOffset("admin-group-offsets", 2, 7)], listed);

        using var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = cluster.BootstrapServers, GroupId = "admin-billing" }).Build();
        var committed = consumer.Committed(all.Select(p => new Confluent.Kafka.TopicPartition(p.Topic, p.Partition)), Patience).OrderBy(c => c.Partition.Value).ToArray();
        Assert.Equal([3L, Offset.Unset.Value, 7L], committed.Select(c => c.Offset.Value));
    }
}

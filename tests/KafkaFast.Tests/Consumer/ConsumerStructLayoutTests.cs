using KafkaFast.Consumer.Engine;
using KafkaFast.Native;

namespace KafkaFast.Tests.Consumer;

/// <summary>The consumer's blittable structs must match librdkafka 2.16's x86_64 layouts byte for byte.</summary>
public unsafe class ConsumerStructLayoutTests
{
    [Fact]
    public void RdKafkaTopicPartition_matches_rd_kafka_topic_partition_t()
    {
        Assert.Equal(64, sizeof(RdKafkaTopicPartition));
        RdKafkaTopicPartition e = default;
        byte* b = (byte*)&e;
        Assert.Equal(0, (byte*)&e.Topic - b);
        Assert.Equal(8, (byte*)&e.Partition - b);
        Assert.Equal(16, (byte*)&e.Offset - b);
        Assert.Equal(24, (byte*)&e.Metadata - b);
        Assert.Equal(32, (byte*)&e.MetadataSize - b);
        Assert.Equal(40, (byte*)&e.Opaque - b);
        Assert.Equal(48, (byte*)&e.Err - b);
        Assert.Equal(56, (byte*)&e.Private - b);
    }

    [Fact]
    public void RdKafkaTopicPartitionList_matches_and_librdkafka_fills_it_as_expected()
    {
        Assert.Equal(16, sizeof(RdKafkaTopicPartitionList));
        using var list = SafeTopicPartitionListHandle.Create(1);
        list.Add("topic-a", 3)->Offset = 42;
        list.Add("topic-b", 0);
        Assert.Equal(2, list.Count);
        Assert.True(list.List->Size >= 2);
        Assert.Equal("topic-a", SafeTopicPartitionListHandle.TopicOf(list[0]));
        Assert.Equal(3, list[0].Partition);
        Assert.Equal(42, list[0].Offset);
        Assert.Equal(KafkaOffset.Unset, list[1].Offset); // librdkafka initializes to RD_KAFKA_OFFSET_INVALID
        Assert.Equal(-1, LibRdKafka.TopicPartitionGetLeaderEpoch(&list.List->Elements[1]));
        Assert.Equal([new TopicPartitionOffset("topic-a", 3, 42), new TopicPartitionOffset("topic-b", 0, KafkaOffset.Unset)],
            TopicPartitionLists.ToOffsets(list));

        // The safe Add used by the consumer sets offset and leader epoch in one go.
        list.Add("topic-c", 1, 7, leaderEpoch: 5);
        Assert.Equal(7, list[2].Offset);
        Assert.Equal(5, LibRdKafka.TopicPartitionGetLeaderEpoch(&list.List->Elements[2]));
    }
}

using System.Runtime.InteropServices;

namespace KafkaFast.Native;

/// <summary>Topic+partition lists (rd_kafka_topic_partition_list_t): the currency of the consumer-group API.</summary>
internal static unsafe partial class LibRdKafka
{
    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_topic_partition_list_new")]
    internal static partial RdKafkaTopicPartitionList* TopicPartitionListNew(int size);

    /// <summary>Raw pointer: called from SafeTopicPartitionListHandle.ReleaseHandle.</summary>
    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_topic_partition_list_destroy")]
    internal static partial void TopicPartitionListDestroy(nint list);

    /// <summary>Appends an element (the topic is copied) and returns it, with offset RD_KAFKA_OFFSET_INVALID.</summary>
    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_topic_partition_list_add")]
    internal static partial RdKafkaTopicPartition* TopicPartitionListAdd(RdKafkaTopicPartitionList* list, byte* topic, int partition);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_topic_partition_get_leader_epoch")]
    internal static partial int TopicPartitionGetLeaderEpoch(RdKafkaTopicPartition* element);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_topic_partition_set_leader_epoch")]
    internal static partial void TopicPartitionSetLeaderEpoch(RdKafkaTopicPartition* element, int leaderEpoch);
}

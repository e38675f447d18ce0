namespace KafkaFast.Native;

// What the Admin API's result objects hold, copied out of an event in librdkafka's own terms (ints, strings, codes)
// before the event is destroyed. The Admin layer turns them into its public types.

/// <summary>An error code and librdkafka's text for it (Code 0: none).</summary>
internal readonly record struct AdminNativeError(int Code, string Reason);

/// <summary>rd_kafka_topic_result_t: one topic of CreateTopics, DeleteTopics or CreatePartitions.</summary>
internal sealed record AdminNativeTopicResult(string Name, AdminNativeError Error);

/// <summary>rd_kafka_Node_t, or a broker of the metadata.</summary>
internal sealed record AdminNativeNode(int Id, string Host, int Port);

/// <summary>A partition of a topic description: leader -1 when none.</summary>
internal sealed record AdminNativePartition(int Partition, int Leader, int[] Replicas, int[] InSyncReplicas, AdminNativeError Error);

/// <summary>rd_kafka_TopicDescription_t, or a topic of the metadata.</summary>
internal sealed record AdminNativeTopic(string Name, AdminNativeError Error, bool IsInternal, AdminNativePartition[] Partitions);

/// <summary>rd_kafka_ConfigEntry_t. Value null when sensitive or unset.</summary>
internal sealed record AdminNativeConfigEntry(string Name, string? Value, int Source, bool IsReadOnly, bool IsDefault, bool IsSensitive);

/// <summary>rd_kafka_ConfigResource_t of DescribeConfigs or IncrementalAlterConfigs results.</summary>
internal sealed record AdminNativeConfigResource(int Type, string Name, AdminNativeError Error, AdminNativeConfigEntry[] Entries);

/// <summary>rd_kafka_ConsumerGroupListing_t.</summary>
internal sealed record AdminNativeGroupListing(string GroupId, bool IsSimple, int State);

/// <summary>rd_kafka_topic_partition_t copied out: offset, error, and (for committed offsets) the commit's metadata string.</summary>
internal sealed record AdminNativePartitionOffset(string Topic, int Partition, long Offset, int Error);

/// <summary>rd_kafka_MemberDescription_t.</summary>
internal sealed record AdminNativeMember(string ConsumerId, string ClientId, string? GroupInstanceId, string Host, AdminNativePartitionOffset[] Assignment);

/// <summary>rd_kafka_ConsumerGroupDescription_t.</summary>
internal sealed record AdminNativeGroupDescription(
    string GroupId, AdminNativeError Error, bool IsSimple, string PartitionAssignor, int State, AdminNativeNode? Coordinator, AdminNativeMember[] Members);

/// <summary>rd_kafka_group_result_t of ListConsumerGroupOffsets or AlterConsumerGroupOffsets.</summary>
internal sealed record AdminNativeGroupOffsets(string GroupId, AdminNativeError Error, AdminNativePartitionOffset[] Partitions);

/// <summary>rd_kafka_ListOffsetsResultInfo_t: timestamp -1 when none.</summary>
internal sealed record AdminNativeListedOffset(string Topic, int Partition, long Offset, long Timestamp, int Error);

/// <summary>A librdkafka log line taken from the admin queue.</summary>
internal readonly record struct AdminNativeLogLine(int Level, string Facility, string Text);

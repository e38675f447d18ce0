using System.Runtime.InteropServices;

namespace KafkaFast.Native;

/// <summary>
/// librdkafka's Admin API (rdkafka.h, "Admin API"). Requests are asynchronous: each call enqueues an op and returns;
/// its result arrives as one event on the queue given (<c>rkqu</c>), carrying the opaque set on its AdminOptions.
/// Argument objects (NewTopic, ConfigResource, ...) are copied by the request call: the caller destroys them after.
/// Result objects belong to their event and live until rd_kafka_event_destroy. Opaque pointers are <c>nint</c>.
/// </summary>
internal static unsafe partial class LibRdKafka
{
    // rd_kafka_admin_op_t
    internal const int AdminOpAny = 0;
    internal const int AdminOpCreateTopics = 1;
    internal const int AdminOpDeleteTopics = 2;
    internal const int AdminOpCreatePartitions = 3;
    internal const int AdminOpDescribeConfigs = 5;
    internal const int AdminOpListConsumerGroups = 12;
    internal const int AdminOpDescribeConsumerGroups = 13;
    internal const int AdminOpListConsumerGroupOffsets = 14;
    internal const int AdminOpAlterConsumerGroupOffsets = 15;
    internal const int AdminOpIncrementalAlterConfigs = 16;
    internal const int AdminOpDescribeTopics = 19;
    internal const int AdminOpListOffsets = 21;

    // RD_KAFKA_EVENT_*_RESULT
    internal const int EventCreateTopicsResult = 100;
    internal const int EventDeleteTopicsResult = 101;
    internal const int EventCreatePartitionsResult = 102;
    internal const int EventDescribeConfigsResult = 104;
    internal const int EventListConsumerGroupsResult = 0x2000;
    internal const int EventDescribeConsumerGroupsResult = 0x4000;
    internal const int EventListConsumerGroupOffsetsResult = 0x8000;
    internal const int EventAlterConsumerGroupOffsetsResult = 0x10000;
    internal const int EventIncrementalAlterConfigsResult = 0x20000;
    internal const int EventDescribeTopicsResult = 0x100000;
    internal const int EventListOffsetsResult = 0x400000;

    // rd_kafka_ResourceType_t
    internal const int ResourceTopic = 2;
    internal const int ResourceGroup = 3;
    internal const int ResourceBroker = 4;

    /// <summary>librdkafka's name of an error code, e.g. "TOPIC_ALREADY_EXISTS" or "_TIMED_OUT".</summary>
    internal static string ErrorName(int err) => Utf8(Err2Name(err));

    // ---- queues and events ----

    /// <summary>Forwards <paramref name="source"/>'s ops to <paramref name="destination"/> (0: stop forwarding).</summary>
    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_queue_forward")]
    internal static partial void QueueForward(nint source, nint destination);

    /// <summary>The opaque of the AdminOptions the request was made with.</summary>
    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_event_opaque")]
    internal static partial nint EventOpaque(nint ev);

    // ---- options ----

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_AdminOptions_new")]
    internal static partial nint AdminOptionsNew(nint rk, int forApi);

    /// <summary>IntPtr: called from SafeAdminOptionsHandle.ReleaseHandle.</summary>
    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_AdminOptions_destroy")]
    internal static partial void AdminOptionsDestroy(nint options);

    /// <returns>0, or an error code with the reason in errstr.</returns>
    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_AdminOptions_set_request_timeout")]
    internal static partial int AdminOptionsSetRequestTimeout(nint options, int timeoutMs, byte* errstr, nuint errstrSize);

    /// <summary>How long the broker waits for the operation (topic creation, deletion...) to complete before answering.</summary>
    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_AdminOptions_set_operation_timeout")]
    internal static partial int AdminOptionsSetOperationTimeout(nint options, int timeoutMs, byte* errstr, nuint errstrSize);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_AdminOptions_set_opaque")]
    internal static partial void AdminOptionsSetOpaque(nint options, nint opaque);

    /// <summary>Null or an rd_kafka_error_t to destroy.</summary>
    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_AdminOptions_set_match_consumer_group_states")]
    internal static partial nint AdminOptionsSetMatchConsumerGroupStates(nint options, int* states, nuint count);

    /// <summary>0 read_uncommitted, 1 read_committed. Null or an rd_kafka_error_t to destroy.</summary>
    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_AdminOptions_set_isolation_level")]
    internal static partial nint AdminOptionsSetIsolationLevel(nint options, int level);

    // ---- topics ----

    /// <summary>Null on a bad argument (reason in errstr). replicationFactor -1: the broker's default.</summary>
    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_NewTopic_new", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial nint NewTopicNew(string topic, int partitions, int replicationFactor, byte* errstr, nuint errstrSize);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_NewTopic_destroy")]
    internal static partial void NewTopicDestroy(nint newTopic);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_NewTopic_set_config", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int NewTopicSetConfig(nint newTopic, string name, string value);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_CreateTopics")]
    internal static partial void CreateTopics(nint rk, nint* newTopics, nuint count, nint options, nint queue);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_event_CreateTopics_result")]
    internal static partial nint EventCreateTopicsResultOf(nint ev);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_CreateTopics_result_topics")]
    internal static partial nint* CreateTopicsResultTopics(nint result, nuint* count);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_DeleteTopic_new", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial nint DeleteTopicNew(string topic);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_DeleteTopic_destroy")]
    internal static partial void DeleteTopicDestroy(nint deleteTopic);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_DeleteTopics")]
    internal static partial void DeleteTopics(nint rk, nint* deleteTopics, nuint count, nint options, nint queue);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_event_DeleteTopics_result")]
    internal static partial nint EventDeleteTopicsResultOf(nint ev);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_DeleteTopics_result_topics")]
    internal static partial nint* DeleteTopicsResultTopics(nint result, nuint* count);

    /// <summary>Null on a bad argument (reason in errstr).</summary>
    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_NewPartitions_new", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial nint NewPartitionsNew(string topic, nuint newTotalCount, byte* errstr, nuint errstrSize);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_NewPartitions_destroy")]
    internal static partial void NewPartitionsDestroy(nint newPartitions);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_CreatePartitions")]
    internal static partial void CreatePartitions(nint rk, nint* newPartitions, nuint count, nint options, nint queue);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_event_CreatePartitions_result")]
    internal static partial nint EventCreatePartitionsResultOf(nint ev);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_CreatePartitions_result_topics")]
    internal static partial nint* CreatePartitionsResultTopics(nint result, nuint* count);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_topic_result_error")]
    internal static partial int TopicResultError(nint topicResult);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_topic_result_error_string")]
    internal static partial byte* TopicResultErrorString(nint topicResult);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_topic_result_name")]
    internal static partial byte* TopicResultName(nint topicResult);

    /// <summary>The names are copied.</summary>
    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_TopicCollection_of_topic_names")]
    internal static partial nint TopicCollectionOfTopicNames(byte** topics, nuint count);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_TopicCollection_destroy")]
    internal static partial void TopicCollectionDestroy(nint collection);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_DescribeTopics")]
    internal static partial void DescribeTopics(nint rk, nint topics, nint options, nint queue);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_event_DescribeTopics_result")]
    internal static partial nint EventDescribeTopicsResultOf(nint ev);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_DescribeTopics_result_topics")]
    internal static partial nint* DescribeTopicsResultTopics(nint result, nuint* count);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_TopicDescription_name")]
    internal static partial byte* TopicDescriptionName(nint description);

    /// <summary>Null when the topic was described; else an rd_kafka_error_t owned by the description.</summary>
    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_TopicDescription_error")]
    internal static partial nint TopicDescriptionError(nint description);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_TopicDescription_is_internal")]
    internal static partial int TopicDescriptionIsInternal(nint description);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_TopicDescription_partitions")]
    internal static partial nint* TopicDescriptionPartitions(nint description, nuint* count);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_TopicPartitionInfo_partition")]
    internal static partial int TopicPartitionInfoPartition(nint info);

    /// <summary>Null when the partition has no leader.</summary>
    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_TopicPartitionInfo_leader")]
    internal static partial nint TopicPartitionInfoLeader(nint info);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_TopicPartitionInfo_isr")]
    internal static partial nint* TopicPartitionInfoIsr(nint info, nuint* count);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_TopicPartitionInfo_replicas")]
    internal static partial nint* TopicPartitionInfoReplicas(nint info, nuint* count);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_Node_id")]
    internal static partial int NodeId(nint node);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_Node_host")]
    internal static partial byte* NodeHost(nint node);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_Node_port")]
    internal static partial ushort NodePort(nint node);

    // ---- configs ----

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_ConfigResource_new", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial nint ConfigResourceNew(int type, string name);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_ConfigResource_destroy")]
    internal static partial void ConfigResourceDestroy(nint resource);

    /// <summary>op: 0 set, 1 delete, 2 append, 3 subtract. Null or an rd_kafka_error_t to destroy.</summary>
    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_ConfigResource_add_incremental_config", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial nint ConfigResourceAddIncrementalConfig(nint resource, string name, int op, string? value);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_ConfigResource_configs")]
    internal static partial nint* ConfigResourceConfigs(nint resource, nuint* count);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_ConfigResource_type")]
    internal static partial int ConfigResourceType(nint resource);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_ConfigResource_name")]
    internal static partial byte* ConfigResourceName(nint resource);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_ConfigResource_error")]
    internal static partial int ConfigResourceError(nint resource);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_ConfigResource_error_string")]
    internal static partial byte* ConfigResourceErrorString(nint resource);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_DescribeConfigs")]
    internal static partial void DescribeConfigs(nint rk, nint* resources, nuint count, nint options, nint queue);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_event_DescribeConfigs_result")]
    internal static partial nint EventDescribeConfigsResultOf(nint ev);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_DescribeConfigs_result_resources")]
    internal static partial nint* DescribeConfigsResultResources(nint result, nuint* count);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_IncrementalAlterConfigs")]
    internal static partial void IncrementalAlterConfigs(nint rk, nint* resources, nuint count, nint options, nint queue);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_event_IncrementalAlterConfigs_result")]
    internal static partial nint EventIncrementalAlterConfigsResultOf(nint ev);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_IncrementalAlterConfigs_result_resources")]
    internal static partial nint* IncrementalAlterConfigsResultResources(nint result, nuint* count);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_ConfigEntry_name")]
    internal static partial byte* ConfigEntryName(nint entry);

    /// <summary>Null for a sensitive or unset value.</summary>
    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_ConfigEntry_value")]
    internal static partial byte* ConfigEntryValue(nint entry);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_ConfigEntry_source")]
    internal static partial int ConfigEntrySource(nint entry);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_ConfigEntry_is_read_only")]
    internal static partial int ConfigEntryIsReadOnly(nint entry);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_ConfigEntry_is_default")]
    internal static partial int ConfigEntryIsDefault(nint entry);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_ConfigEntry_is_sensitive")]
    internal static partial int ConfigEntryIsSensitive(nint entry);

    // ---- consumer groups ----

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_ListConsumerGroups")]
    internal static partial void ListConsumerGroups(nint rk, nint options, nint queue);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_event_ListConsumerGroups_result")]
    internal static partial nint EventListConsumerGroupsResultOf(nint ev);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_ListConsumerGroups_result_valid")]
    internal static partial nint* ListConsumerGroupsResultValid(nint result, nuint* count);

    /// <summary>Errors of the brokers that could not be asked (owned by the result).</summary>
    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_ListConsumerGroups_result_errors")]
    internal static partial nint* ListConsumerGroupsResultErrors(nint result, nuint* count);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_ConsumerGroupListing_group_id")]
    internal static partial byte* ConsumerGroupListingGroupId(nint listing);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_ConsumerGroupListing_is_simple_consumer_group")]
    internal static partial int ConsumerGroupListingIsSimple(nint listing);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_ConsumerGroupListing_state")]
    internal static partial int ConsumerGroupListingState(nint listing);

    /// <summary>The group names are copied.</summary>
    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_DescribeConsumerGroups")]
    internal static partial void DescribeConsumerGroups(nint rk, byte** groups, nuint count, nint options, nint queue);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_event_DescribeConsumerGroups_result")]
    internal static partial nint EventDescribeConsumerGroupsResultOf(nint ev);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_DescribeConsumerGroups_result_groups")]
    internal static partial nint* DescribeConsumerGroupsResultGroups(nint result, nuint* count);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_ConsumerGroupDescription_group_id")]
    internal static partial byte* ConsumerGroupDescriptionGroupId(nint description);

    /// <summary>Null when described; else an rd_kafka_error_t owned by the description.</summary>
    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_ConsumerGroupDescription_error")]
    internal static partial nint ConsumerGroupDescriptionError(nint description);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_ConsumerGroupDescription_is_simple_consumer_group")]
    internal static partial int ConsumerGroupDescriptionIsSimple(nint description);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_ConsumerGroupDescription_partition_assignor")]
    internal static partial byte* ConsumerGroupDescriptionPartitionAssignor(nint description);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_ConsumerGroupDescription_state")]
    internal static partial int ConsumerGroupDescriptionState(nint description);

    /// <summary>Null when unknown.</summary>
    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_ConsumerGroupDescription_coordinator")]
    internal static partial nint ConsumerGroupDescriptionCoordinator(nint description);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_ConsumerGroupDescription_member_count")]
    internal static partial nuint ConsumerGroupDescriptionMemberCount(nint description);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_ConsumerGroupDescription_member")]
    internal static partial nint ConsumerGroupDescriptionMember(nint description, nuint index);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_MemberDescription_client_id")]
    internal static partial byte* MemberDescriptionClientId(nint member);

    /// <summary>Null for a dynamic member.</summary>
    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_MemberDescription_group_instance_id")]
    internal static partial byte* MemberDescriptionGroupInstanceId(nint member);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_MemberDescription_consumer_id")]
    internal static partial byte* MemberDescriptionConsumerId(nint member);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_MemberDescription_host")]
    internal static partial byte* MemberDescriptionHost(nint member);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_MemberDescription_assignment")]
    internal static partial nint MemberDescriptionAssignment(nint member);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_MemberAssignment_partitions")]
    internal static partial RdKafkaTopicPartitionList* MemberAssignmentPartitions(nint assignment);

    /// <summary>partitions: null for every partition the group has offsets for (copied).</summary>
    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_ListConsumerGroupOffsets_new", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial nint ListConsumerGroupOffsetsNew(string group, RdKafkaTopicPartitionList* partitions);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_ListConsumerGroupOffsets_destroy")]
    internal static partial void ListConsumerGroupOffsetsDestroy(nint request);

    /// <summary>Exactly one group per call (librdkafka's rule).</summary>
    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_ListConsumerGroupOffsets")]
    internal static partial void ListConsumerGroupOffsets(nint rk, nint* requests, nuint count, nint options, nint queue);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_event_ListConsumerGroupOffsets_result")]
    internal static partial nint EventListConsumerGroupOffsetsResultOf(nint ev);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_ListConsumerGroupOffsets_result_groups")]
    internal static partial nint* ListConsumerGroupOffsetsResultGroups(nint result, nuint* count);

    /// <summary>The partitions (with offsets) are copied.</summary>
    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_AlterConsumerGroupOffsets_new", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial nint AlterConsumerGroupOffsetsNew(string group, RdKafkaTopicPartitionList* partitions);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_AlterConsumerGroupOffsets_destroy")]
    internal static partial void AlterConsumerGroupOffsetsDestroy(nint request);

    /// <summary>Exactly one group per call (librdkafka's rule).</summary>
    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_AlterConsumerGroupOffsets")]
    internal static partial void AlterConsumerGroupOffsets(nint rk, nint* requests, nuint count, nint options, nint queue);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_event_AlterConsumerGroupOffsets_result")]
    internal static partial nint EventAlterConsumerGroupOffsetsResultOf(nint ev);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_AlterConsumerGroupOffsets_result_groups")]
    internal static partial nint* AlterConsumerGroupOffsetsResultGroups(nint result, nuint* count);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_group_result_name")]
    internal static partial byte* GroupResultName(nint groupResult);

    /// <summary>Null, or an rd_kafka_error_t owned by the result.</summary>
    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_group_result_error")]
    internal static partial nint GroupResultError(nint groupResult);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_group_result_partitions")]
    internal static partial RdKafkaTopicPartitionList* GroupResultPartitions(nint groupResult);

    // ---- offsets ----

    /// <summary>Each element's offset is the spec: -1 latest, -2 earliest, -3 max timestamp, else a timestamp (ms).</summary>
    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_ListOffsets")]
    internal static partial void ListOffsets(nint rk, RdKafkaTopicPartitionList* partitions, nint options, nint queue);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_event_ListOffsets_result")]
    internal static partial nint EventListOffsetsResultOf(nint ev);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_ListOffsets_result_infos")]
    internal static partial nint* ListOffsetsResultInfos(nint result, nuint* count);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_ListOffsetsResultInfo_topic_partition")]
    internal static partial RdKafkaTopicPartition* ListOffsetsResultInfoTopicPartition(nint info);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_ListOffsetsResultInfo_timestamp")]
    internal static partial long ListOffsetsResultInfoTimestamp(nint info);
}

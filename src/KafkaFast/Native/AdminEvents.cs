namespace KafkaFast.Native;

/// <summary>
/// Reads admin result events (and the error and log events sharing their queue) into <c>AdminNative*</c> records.
/// Everything is copied out: nothing read here points into the event after it is destroyed.
/// <para>
/// Check <see cref="Error"/> first: when a whole request failed (timeout, unreachable controller...) some result
/// accessors assert inside librdkafka (rd_kafka_DescribeCluster_result_description aborts the process), so results
/// are read only from events without an event-level error.
/// </para>
/// </summary>
internal static unsafe class AdminEvents
{
    internal static int Type(SafeEventHandle ev)
    {
        using var e = new HandleLease(ev);
        return LibRdKafka.EventType(e.Pointer);
    }

    internal static nint Opaque(SafeEventHandle ev)
    {
        using var e = new HandleLease(ev);
        return LibRdKafka.EventOpaque(e.Pointer);
    }

    /// <summary>The event-level error (Code 0: none) and, for error events, whether it is fatal.</summary>
    internal static AdminNativeError Error(SafeEventHandle ev, out bool fatal)
    {
        using var e = new HandleLease(ev);
        int code = LibRdKafka.EventError(e.Pointer);
        fatal = code != 0 && LibRdKafka.EventType(e.Pointer) == LibRdKafka.EventTypeError && LibRdKafka.EventErrorIsFatal(e.Pointer) != 0;
        return code == 0 ? default : new AdminNativeError(code, LibRdKafka.Utf8(LibRdKafka.EventErrorString(e.Pointer)));
    }

    internal static AdminNativeLogLine Log(SafeEventHandle ev)
    {
        using var e = new HandleLease(ev);
        byte* facility = null, text = null;
        int level = 7;
        return LibRdKafka.EventLog(e.Pointer, &facility, &text, &level) == 0
            ? new AdminNativeLogLine(level, LibRdKafka.Utf8(facility), LibRdKafka.Utf8(text))
            : new AdminNativeLogLine(7, string.Empty, string.Empty);
    }

    /// <summary>Per-topic results of CreateTopics, DeleteTopics or CreatePartitions.</summary>
    internal static AdminNativeTopicResult[] TopicResults(SafeEventHandle ev)
    {
        using var e = new HandleLease(ev);
        nuint count = 0;
        nint* results = LibRdKafka.EventType(e.Pointer) switch
        {
            LibRdKafka.EventCreateTopicsResult => LibRdKafka.CreateTopicsResultTopics(LibRdKafka.EventCreateTopicsResultOf(e.Pointer), &count),
            LibRdKafka.EventDeleteTopicsResult => LibRdKafka.DeleteTopicsResultTopics(LibRdKafka.EventDeleteTopicsResultOf(e.Pointer), &count),
            LibRdKafka.EventCreatePartitionsResult => LibRdKafka.CreatePartitionsResultTopics(LibRdKafka.EventCreatePartitionsResultOf(e.Pointer), &count),
            int other => throw UnexpectedEvent(other),
        };
        var topics = new AdminNativeTopicResult[count];
        for (int i = 0; i < topics.Length; i++)
        {
            int err = LibRdKafka.TopicResultError(results[i]);
            topics[i] = new AdminNativeTopicResult(LibRdKafka.Utf8(LibRdKafka.TopicResultName(results[i])),
                new AdminNativeError(err, ErrorText(err, LibRdKafka.TopicResultErrorString(results[i]))));
        }

        return topics;
    }

    internal static AdminNativeTopic[] TopicDescriptions(SafeEventHandle ev)
    {
        using var e = new HandleLease(ev);
        nuint count = 0;
        nint* descriptions = LibRdKafka.DescribeTopicsResultTopics(Result(e.Pointer, LibRdKafka.EventDescribeTopicsResult, LibRdKafka.EventDescribeTopicsResultOf(e.Pointer)), &count);
        var topics = new AdminNativeTopic[count];
        for (int i = 0; i < topics.Length; i++)
        {
            nint description = descriptions[i];
            nuint partitionCount = 0;
            nint* infos = LibRdKafka.TopicDescriptionPartitions(description, &partitionCount);
            var partitions = new AdminNativePartition[partitionCount];
            for (int p = 0; p < partitions.Length; p++)
            {
                nint leader = LibRdKafka.TopicPartitionInfoLeader(infos[p]);
                nuint replicaCount = 0, isrCount = 0;
                nint* replicas = LibRdKafka.TopicPartitionInfoReplicas(infos[p], &replicaCount);
                nint* isr = LibRdKafka.TopicPartitionInfoIsr(infos[p], &isrCount);
                partitions[p] = new AdminNativePartition(LibRdKafka.TopicPartitionInfoPartition(infos[p]), leader == 0 ? -1 : LibRdKafka.NodeId(leader),
                    NodeIds(replicas, replicaCount), NodeIds(isr, isrCount), default);
            }

            topics[i] = new AdminNativeTopic(LibRdKafka.Utf8(LibRdKafka.TopicDescriptionName(description)),
                ErrorObject(LibRdKafka.TopicDescriptionError(description)), LibRdKafka.TopicDescriptionIsInternal(description) != 0, partitions);
        }

        return topics;
    }

    /// <summary>Resources of DescribeConfigs or IncrementalAlterConfigs results.</summary>
    internal static AdminNativeConfigResource[] ConfigResources(SafeEventHandle ev)
    {
        using var e = new HandleLease(ev);
        nuint count = 0;
        nint* resources = LibRdKafka.EventType(e.Pointer) switch
        {
            LibRdKafka.EventDescribeConfigsResult => LibRdKafka.DescribeConfigsResultResources(LibRdKafka.EventDescribeConfigsResultOf(e.Pointer), &count),
            LibRdKafka.EventIncrementalAlterConfigsResult => LibRdKafka.IncrementalAlterConfigsResultResources(LibRdKafka.EventIncrementalAlterConfigsResultOf(e.Pointer), &count),
            int other => throw UnexpectedEvent(other),
        };
        var result = new AdminNativeConfigResource[count];
        for (int i = 0; i < result.Length; i++)
        {
            nint resource = resources[i];
            nuint entryCount = 0;
            nint* entries = LibRdKafka.ConfigResourceConfigs(resource, &entryCount);
            var copied = new AdminNativeConfigEntry[entryCount];
            for (int c = 0; c < copied.Length; c++)
            {
                nint entry = entries[c];
                byte* value = LibRdKafka.ConfigEntryValue(entry);
                copied[c] = new AdminNativeConfigEntry(LibRdKafka.Utf8(LibRdKafka.ConfigEntryName(entry)), value == null ? null : LibRdKafka.Utf8(value),
                    LibRdKafka.ConfigEntrySource(entry), LibRdKafka.ConfigEntryIsReadOnly(entry) != 0, LibRdKafka.ConfigEntryIsDefault(entry) != 0,
                    LibRdKafka.ConfigEntryIsSensitive(entry) != 0);
            }

            int err = LibRdKafka.ConfigResourceError(resource);
            result[i] = new AdminNativeConfigResource(LibRdKafka.ConfigResourceType(resource), LibRdKafka.Utf8(LibRdKafka.ConfigResourceName(resource)),
                new AdminNativeError(err, ErrorText(err, LibRdKafka.ConfigResourceErrorString(resource))), copied);
        }

        return result;
    }

    internal static (AdminNativeGroupListing[] Groups, AdminNativeError[] Errors) GroupListings(SafeEventHandle ev)
    {
        using var e = new HandleLease(ev);
        nint result = Result(e.Pointer, LibRdKafka.EventListConsumerGroupsResult, LibRdKafka.EventListConsumerGroupsResultOf(e.Pointer));
        nuint count = 0, errorCount = 0;
        nint* valid = LibRdKafka.ListConsumerGroupsResultValid(result, &count);
        nint* errors = LibRdKafka.ListConsumerGroupsResultErrors(result, &errorCount);
        var groups = new AdminNativeGroupListing[count];
        for (int i = 0; i < groups.Length; i++)
        {
            groups[i] = new AdminNativeGroupListing(LibRdKafka.Utf8(LibRdKafka.ConsumerGroupListingGroupId(valid[i])),
                LibRdKafka.ConsumerGroupListingIsSimple(valid[i]) != 0, LibRdKafka.ConsumerGroupListingState(valid[i]));
        }

        var copiedErrors = new AdminNativeError[errorCount];
        for (int i = 0; i < copiedErrors.Length; i++)
        {
            copiedErrors[i] = ErrorObject(errors[i]);
        }

        return (groups, copiedErrors);
    }

    internal static AdminNativeGroupDescription[] GroupDescriptions(SafeEventHandle ev)
    {
        using var e = new HandleLease(ev);
        nuint count = 0;
        nint* descriptions = LibRdKafka.DescribeConsumerGroupsResultGroups(
            Result(e.Pointer, LibRdKafka.EventDescribeConsumerGroupsResult, LibRdKafka.EventDescribeConsumerGroupsResultOf(e.Pointer)), &count);
        var groups = new AdminNativeGroupDescription[count];
        for (int i = 0; i < groups.Length; i++)
        {
            nint d = descriptions[i];
            var members = new AdminNativeMember[LibRdKafka.ConsumerGroupDescriptionMemberCount(d)];
            for (int m = 0; m < members.Length; m++)
            {
                nint member = LibRdKafka.ConsumerGroupDescriptionMember(d, (nuint)m);
                nint assignment = LibRdKafka.MemberDescriptionAssignment(member);
                byte* instance = LibRdKafka.MemberDescriptionGroupInstanceId(member);
                members[m] = new AdminNativeMember(LibRdKafka.Utf8(LibRdKafka.MemberDescriptionConsumerId(member)),
                    LibRdKafka.Utf8(LibRdKafka.MemberDescriptionClientId(member)), instance == null ? null : LibRdKafka.Utf8(instance),
                    LibRdKafka.Utf8(LibRdKafka.MemberDescriptionHost(member)),
                    assignment == 0 ? [] : Partitions(LibRdKafka.MemberAssignmentPartitions(assignment)));
            }

            groups[i] = new AdminNativeGroupDescription(LibRdKafka.Utf8(LibRdKafka.ConsumerGroupDescriptionGroupId(d)),
                ErrorObject(LibRdKafka.ConsumerGroupDescriptionError(d)), LibRdKafka.ConsumerGroupDescriptionIsSimple(d) != 0,
                LibRdKafka.Utf8(LibRdKafka.ConsumerGroupDescriptionPartitionAssignor(d)), LibRdKafka.ConsumerGroupDescriptionState(d),
                Node(LibRdKafka.ConsumerGroupDescriptionCoordinator(d)), members);
        }

        return groups;
    }

    /// <summary>Group results of ListConsumerGroupOffsets or AlterConsumerGroupOffsets.</summary>
    internal static AdminNativeGroupOffsets[] GroupOffsets(SafeEventHandle ev)
    {
        using var e = new HandleLease(ev);
        nuint count = 0;
        nint* groups = LibRdKafka.EventType(e.Pointer) switch
        {
            LibRdKafka.EventListConsumerGroupOffsetsResult =>
                LibRdKafka.ListConsumerGroupOffsetsResultGroups(LibRdKafka.EventListConsumerGroupOffsetsResultOf(e.Pointer), &count),
            LibRdKafka.EventAlterConsumerGroupOffsetsResult =>
                LibRdKafka.AlterConsumerGroupOffsetsResultGroups(LibRdKafka.EventAlterConsumerGroupOffsetsResultOf(e.Pointer), &count),
            int other => throw UnexpectedEvent(other),
        };
        var result = new AdminNativeGroupOffsets[count];
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = new AdminNativeGroupOffsets(LibRdKafka.Utf8(LibRdKafka.GroupResultName(groups[i])), ErrorObject(LibRdKafka.GroupResultError(groups[i])),
                Partitions(LibRdKafka.GroupResultPartitions(groups[i])));
        }

        return result;
    }

    internal static AdminNativeListedOffset[] ListedOffsets(SafeEventHandle ev)
    {
        using var e = new HandleLease(ev);
        nuint count = 0;
        nint* infos = LibRdKafka.ListOffsetsResultInfos(Result(e.Pointer, LibRdKafka.EventListOffsetsResult, LibRdKafka.EventListOffsetsResultOf(e.Pointer)), &count);
        var result = new AdminNativeListedOffset[count];
        for (int i = 0; i < result.Length; i++)
        {
            RdKafkaTopicPartition* tp = LibRdKafka.ListOffsetsResultInfoTopicPartition(infos[i]);
            result[i] = new AdminNativeListedOffset(LibRdKafka.Utf8(tp->Topic), tp->Partition, tp->Offset, LibRdKafka.ListOffsetsResultInfoTimestamp(infos[i]), tp->Err);
        }

        return result;
    }

    private static nint Result(nint ev, int expectedType, nint result)
    {
        int type = LibRdKafka.EventType(ev);
        if (type != expectedType || result == 0)
        {
            throw UnexpectedEvent(type);
        }

        return result;
    }

    private static InvalidOperationException UnexpectedEvent(int type) =>
        new($"librdkafka delivered an unexpected admin event (type {type}) to this request.");

    private static AdminNativePartitionOffset[] Partitions(RdKafkaTopicPartitionList* list)
    {
        if (list == null)
        {
            return [];
        }

        var result = new AdminNativePartitionOffset[list->Count];
        for (int i = 0; i < result.Length; i++)
        {
            ref RdKafkaTopicPartition element = ref list->Elements[i];
            result[i] = new AdminNativePartitionOffset(LibRdKafka.Utf8(element.Topic), element.Partition, element.Offset, element.Err);
        }

        return result;
    }

    private static int[] NodeIds(nint* nodes, nuint count)
    {
        var ids = new int[count];
        for (int i = 0; i < ids.Length; i++)
        {
            ids[i] = LibRdKafka.NodeId(nodes[i]);
        }

        return ids;
    }

    private static AdminNativeNode? Node(nint node) =>
        node == 0 ? null : new AdminNativeNode(LibRdKafka.NodeId(node), LibRdKafka.Utf8(LibRdKafka.NodeHost(node)), LibRdKafka.NodePort(node));

    /// <summary>An rd_kafka_error_t owned by a result (not destroyed here); null: no error.</summary>
    private static AdminNativeError ErrorObject(nint error) =>
        error == 0 ? default : new AdminNativeError(LibRdKafka.ErrorCode(error), LibRdKafka.Utf8(LibRdKafka.ErrorString(error)));

    private static string ErrorText(int err, byte* text) =>
        err == 0 ? string.Empty : text != null ? LibRdKafka.Utf8(text) : LibRdKafka.ErrorText(err);
}

using KafkaFast.Native;

namespace KafkaFast.Admin;

public sealed partial class KafkaAdminClient
{
    /// <summary>The cluster's consumer groups (asking every broker), ordered by id.</summary>
    /// <param name="states">Only groups in these states; null or empty: all.</param>
    /// <param name="cancellationToken">Stops the wait.</param>
    /// <exception cref="KafkaAdminException">The request failed, or some brokers could not be asked (their errors are in Results).</exception>
    public Task<IReadOnlyList<ConsumerGroupListing>> ListConsumerGroupsAsync(IEnumerable<ConsumerGroupState>? states = null, CancellationToken cancellationToken = default)
    {
        int[] matching = [.. (states ?? []).Distinct().Select(s => Enum.IsDefined(s)
            ? (int)s : throw new ArgumentOutOfRangeException(nameof(states), s, "Unknown consumer group state."))];
        var request = new AdminRequestName("ListConsumerGroups", string.Empty);
        return Start(request, LibRdKafka.AdminOpListConsumerGroups, 0,
            (rk, queue, settings) => AdminCalls.ListConsumerGroups(rk, queue, settings, matching),
            ev =>
            {
                (AdminNativeGroupListing[] groups, AdminNativeError[] errors) = AdminEvents.GroupListings(ev);
                AdminErrors.ThrowIfAnyFailed(request, [.. errors.Select((e, i) => AdminErrors.Item($"broker answer {i + 1}", e))]);
                return (IReadOnlyList<ConsumerGroupListing>)[.. groups
                    .Select(g => new ConsumerGroupListing(g.GroupId, g.IsSimple, (ConsumerGroupState)g.State))
                    .OrderBy(g => g.GroupId, StringComparer.Ordinal)];
            }, cancellationToken);
    }

    /// <summary>Describes consumer groups: state, assignor, coordinator, members and their partitions.</summary>
    /// <exception cref="ArgumentException">A group id is empty, padded with white space, or named twice.</exception>
    /// <exception cref="KafkaAdminException">The request failed, or a group could not be described.</exception>
    public Task<IReadOnlyList<ConsumerGroupDescription>> DescribeConsumerGroupsAsync(IEnumerable<string> groups, CancellationToken cancellationToken = default)
    {
        string[] ids = AdminArguments.Groups(groups, nameof(groups));
        var request = AdminRequestName.Of("DescribeConsumerGroups", "group", ids);
        return Start(request, LibRdKafka.AdminOpDescribeConsumerGroups, 0,
            (rk, queue, settings) => AdminCalls.DescribeConsumerGroups(rk, queue, settings, ids),
            ev =>
            {
                AdminNativeGroupDescription[] described = AdminEvents.GroupDescriptions(ev);
                AdminErrors.ThrowIfAnyFailed(request, [.. described.Select(g => AdminErrors.Item(g.GroupId, g.Error))]);
                return (IReadOnlyList<ConsumerGroupDescription>)[.. described.Select(g => new ConsumerGroupDescription(
                    g.GroupId, g.IsSimple, g.PartitionAssignor, (ConsumerGroupState)g.State,
                    g.Coordinator is { } c ? new BrokerNode(c.Id, c.Host, c.Port) : null,
                    [.. g.Members.Select(m => new ConsumerGroupMember(m.ConsumerId, m.ClientId, m.GroupInstanceId, m.Host,
                        [.. m.Assignment.Select(p => new TopicPartition(p.Topic, p.Partition)).Order()]))]))];
            }, cancellationToken);
    }

    /// <summary>
    /// A group's committed offsets (the offset its members resume from), ordered by partition;
    /// <see cref="KafkaOffset.Unset"/> for a named partition without one.
    /// </summary>
    /// <param name="group">The group id.</param>
    /// <param name="partitions">The partitions to ask about; null: every partition the group has committed offsets for
    /// (the embedded cluster answers only named partitions).</param>
    /// <param name="cancellationToken">Stops the wait.</param>
    /// <exception cref="KafkaAdminException">The request failed, or the group or a partition could not be read.</exception>
    public Task<IReadOnlyList<TopicPartitionOffset>> ListConsumerGroupOffsetsAsync(string group, IEnumerable<TopicPartition>? partitions = null, CancellationToken cancellationToken = default)
    {
        AdminArguments.Group(group, nameof(group));
        (string, int)[]? named = partitions is null ? null : [.. AdminArguments.Partitions(partitions, nameof(partitions)).Select(p => (p.Topic, p.Partition))];
        var request = new AdminRequestName("ListConsumerGroupOffsets", $"group '{group}'");
        return Start(request, LibRdKafka.AdminOpListConsumerGroupOffsets, 0,
            (rk, queue, settings) => AdminCalls.ListConsumerGroupOffsets(rk, queue, settings, group, named),
            ev => GroupOffsets(request, ev), cancellationToken);
    }

    /// <summary>
    /// Sets a group's committed offsets (where its members resume). Kafka refuses it while the group has active
    /// members (<see cref="KafkaErrorCode.UnknownMemberId"/>): stop the consumers first.
    /// </summary>
    /// <param name="group">The group id.</param>
    /// <param name="offsets">Absolute offsets (>= 0) per partition: the next message each member will read.</param>
    /// <param name="cancellationToken">Stops the wait (the offsets may still be committed).</param>
    /// <returns>The offsets committed, ordered by partition.</returns>
    /// <exception cref="KafkaAdminException">The request failed, or some partitions were refused; Results says which.</exception>
    public Task<IReadOnlyList<TopicPartitionOffset>> AlterConsumerGroupOffsetsAsync(string group, IEnumerable<TopicPartitionOffset> offsets, CancellationToken cancellationToken = default)
    {
        AdminArguments.Group(group, nameof(group));
        (string, int, long)[] list = [.. AdminArguments.Offsets(offsets, nameof(offsets)).Select(o => (o.Topic, o.Partition, o.Offset))];
        var request = new AdminRequestName("AlterConsumerGroupOffsets", $"group '{group}'");
        return Start(request, LibRdKafka.AdminOpAlterConsumerGroupOffsets, 0,
            (rk, queue, settings) => AdminCalls.AlterConsumerGroupOffsets(rk, queue, settings, group, list),
            ev => GroupOffsets(request, ev), cancellationToken);
    }

    private static IReadOnlyList<TopicPartitionOffset> GroupOffsets(AdminRequestName request, SafeEventHandle ev)
    {
        AdminNativeGroupOffsets[] groups = AdminEvents.GroupOffsets(ev);
        AdminErrors.ThrowIfAnyFailed(request, [.. groups.Select(g => AdminErrors.Item(g.GroupId, g.Error))]);
        AdminNativePartitionOffset[] partitions = [.. groups.SelectMany(g => g.Partitions)];
        AdminErrors.ThrowIfAnyFailed(request, [.. partitions.Select(p => AdminErrors.Item($"{p.Topic} [{p.Partition}]",
            new AdminNativeError(p.Error, p.Error == 0 ? string.Empty : LibRdKafka.ErrorText(p.Error))))]);
        return [.. partitions.Select(p => new TopicPartitionOffset(p.Topic, p.Partition, p.Offset)).Order()];
    }
}

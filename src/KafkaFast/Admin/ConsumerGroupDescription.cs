namespace KafkaFast.Admin;

/// <summary>A consumer group and its members, as its coordinator describes it.</summary>
/// <param name="GroupId">The group id.</param>
/// <param name="IsSimpleConsumerGroup">Whether it only stores offsets.</param>
/// <param name="PartitionAssignor">The assignor the members agreed on (e.g. "range", "cooperative-sticky"); empty when none.</param>
/// <param name="State">Its state.</param>
/// <param name="Coordinator">The broker coordinating it, when known.</param>
/// <param name="Members">Its members and their assignments.</param>
public sealed record ConsumerGroupDescription(
    string GroupId, bool IsSimpleConsumerGroup, string PartitionAssignor, ConsumerGroupState State, BrokerNode? Coordinator,
    IReadOnlyList<ConsumerGroupMember> Members);

/// <summary>A member of a consumer group.</summary>
/// <param name="MemberId">The id the coordinator gave it.</param>
/// <param name="ClientId">Its client.id.</param>
/// <param name="GroupInstanceId">Its group.instance.id (static membership), or null.</param>
/// <param name="Host">The host it connects from.</param>
/// <param name="Assignment">The partitions assigned to it.</param>
public sealed record ConsumerGroupMember(string MemberId, string ClientId, string? GroupInstanceId, string Host, IReadOnlyList<TopicPartition> Assignment);

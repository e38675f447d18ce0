namespace KafkaFast.Admin;

/// <summary>A consumer group as <see cref="KafkaAdminClient.ListConsumerGroupsAsync"/> lists it.</summary>
/// <param name="GroupId">The group id.</param>
/// <param name="IsSimpleConsumerGroup">Whether it only stores offsets (members assign partitions themselves, no membership).</param>
/// <param name="State">Its state.</param>
public sealed record ConsumerGroupListing(string GroupId, bool IsSimpleConsumerGroup, ConsumerGroupState State);

namespace KafkaFast.Consumer;

/// <summary>How the group spreads partitions over its members (partition.assignment.strategy). Every member of a group must use the same kind.</summary>
public enum PartitionAssignmentStrategy
{
    /// <summary>Eager: contiguous ranges per topic. On every rebalance each member gives up all its partitions first.</summary>
    Range = 0,

    /// <summary>Eager: partitions dealt round-robin over members. On every rebalance each member gives up all its partitions first.</summary>
    RoundRobin = 1,

    /// <summary>
    /// Cooperative (incremental): members keep the partitions they still own through a rebalance; only moved
    /// partitions are revoked and assigned.
    /// </summary>
    CooperativeSticky = 2,
}

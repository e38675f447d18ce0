namespace KafkaFast.Admin;

/// <summary>A topic and its partitions, as the cluster describes it.</summary>
/// <param name="Name">The topic name.</param>
/// <param name="IsInternal">Whether it is one of Kafka's own (__consumer_offsets, __transaction_state).</param>
/// <param name="Partitions">The partitions, ordered by number.</param>
public sealed record TopicDescription(string Name, bool IsInternal, IReadOnlyList<TopicPartitionInfo> Partitions);

/// <summary>One partition: its leader and replicas (broker ids).</summary>
/// <param name="Partition">The partition number.</param>
/// <param name="Leader">The leader's broker id, or -1 when the partition has no leader.</param>
/// <param name="Replicas">Brokers holding a copy.</param>
/// <param name="InSyncReplicas">Replicas caught up with the leader.</param>
public sealed record TopicPartitionInfo(int Partition, int Leader, IReadOnlyList<int> Replicas, IReadOnlyList<int> InSyncReplicas);

/// <summary>A broker of the cluster.</summary>
/// <param name="Id">The broker id.</param>
/// <param name="Host">Its advertised host.</param>
/// <param name="Port">Its advertised port.</param>
public sealed record BrokerNode(int Id, string Host, int Port);

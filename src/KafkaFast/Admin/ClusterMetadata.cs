namespace KafkaFast.Admin;

/// <summary>What a metadata request says about the cluster: its brokers and topics.</summary>
/// <param name="Brokers">Every broker, ordered by id.</param>
/// <param name="Topics">Every topic, ordered by name (internal ones included).</param>
public sealed record ClusterMetadata(IReadOnlyList<BrokerNode> Brokers, IReadOnlyList<TopicDescription> Topics);

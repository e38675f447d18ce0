
namespace KafkaFast;

/// <summary>
/// Kafka and librdkafka error codes (librdkafka's rd_kafka_resp_err_t; negative values are local to the client).
/// Codes not named here still arrive as their numeric value.
/// </summary>
public enum KafkaErrorCode
{
    /// <summary>librdkafka's local: the message was purged from the queue before it was sent (producer closed).</summary>
    PurgeQueue = -152,
    /// <summary>librdkafka's local: the message was purged while in flight (producer closed).</summary>
    PurgeInFlight = -151,
    /// <summary>librdkafka's local: a fatal error (idempotence/transactions) stopped the client.</summary>
    Fatal = -150,
    /// <summary>librdkafka's local: no entry.</summary>
    NoEntry = -156,
    /// <summary>librdkafka's local: the client's queue is full.</summary>
    QueueFull = -184,
    /// <summary>librdkafka's local: an operation timed out.</summary>
    TimedOut = -185,
    /// <summary>librdkafka's local: every broker is down.</summary>
    AllBrokersDown = -187,
    /// <summary>librdkafka's local: the topic is not in the cluster.</summary>
    UnknownTopic = -188,
    /// <summary>librdkafka's local: the partition is not in the topic.</summary>
    UnknownPartition = -190,
    /// <summary>librdkafka's local: reached the end of a partition (consumer).</summary>
    PartitionEof = -191,
    /// <summary>librdkafka's local: message.timeout.ms passed before the broker acknowledged the message.</summary>
    MessageTimedOut = -192,
    /// <summary>librdkafka's local: the transport failed.</summary>
    Transport = -195,
    /// <summary>No error.</summary>
    NoError = 0,
    /// <summary>The broker: offset out of range.</summary>
    OffsetOutOfRange = 1,
    /// <summary>The broker: corrupt message.</summary>
    CorruptMessage = 2,
    /// <summary>The broker: unknown topic or partition.</summary>
    UnknownTopicOrPartition = 3,
    /// <summary>The broker: leader not available.</summary>
    LeaderNotAvailable = 5,
    /// <summary>The broker: not the leader for the partition.</summary>
    NotLeaderForPartition = 6,
    /// <summary>The broker: request timed out.</summary>
    RequestTimedOut = 7,
    /// <summary>The broker: message too large.</summary>
    MessageSizeTooLarge = 10,
    /// <summary>The broker: not enough in-sync replicas.</summary>
    NotEnoughReplicas = 19,
    /// <summary>The broker: the group is rebalancing.</summary>
    RebalanceInProgress = 27,
    /// <summary>The broker: topic authorization failed.</summary>
    TopicAuthorizationFailed = 29,
    /// <summary>The broker: group authorization failed.</summary>
    GroupAuthorizationFailed = 30,
    /// <summary>The broker: invalid topic name.</summary>
    InvalidTopic = 17,
    /// <summary>The broker: the idempotent producer's sequence is out of order.</summary>
    OutOfOrderSequenceNumber = 45,
    /// <summary>librdkafka's local (consumer): the client was destroyed before the operation completed.</summary>
    Destroy = -197,
    /// <summary>librdkafka's local (consumer): the partition is not assigned, so its offset cannot be stored or sought.</summary>
    State = -172,
    /// <summary>librdkafka's local (consumer): no stored offset to commit.</summary>
    NoOffset = -168,
    /// <summary>librdkafka's local (consumer): max.poll.interval.ms passed without a consume call; the member left the group.</summary>
    MaxPollExceeded = -147,
    /// <summary>librdkafka's local (consumer): auto.offset.reset is "error" and the position was out of range.</summary>
    AutoOffsetReset = -140,
    /// <summary>librdkafka's local (consumer): the assignment was lost (session timed out, fenced): nothing can be committed for it.</summary>
    AssignmentLost = -142,
    /// <summary>The broker (consumer group): the generation is stale (a rebalance happened).</summary>
    IllegalGeneration = 22,
    /// <summary>The broker (consumer group): the member is not known to the coordinator.</summary>
    UnknownMemberId = 25,
    /// <summary>librdkafka's local (admin): the broker does not support the request (e.g. the embedded mock cluster and CreateTopics).</summary>
    UnsupportedFeature = -165,
    /// <summary>The broker (admin): the topic already exists.</summary>
    TopicAlreadyExists = 36,
    /// <summary>The broker (admin): invalid number of partitions (e.g. fewer than the topic has).</summary>
    InvalidPartitions = 37,
    /// <summary>The broker (admin): invalid replication factor (e.g. more than there are brokers).</summary>
    InvalidReplicationFactor = 38,
    /// <summary>The broker (admin): a configuration name or value is invalid.</summary>
    InvalidConfig = 40,
    /// <summary>The broker (admin): the request breaks a broker policy.</summary>
    PolicyViolation = 44,
    /// <summary>The broker (admin): the group is not empty (has active members).</summary>
    NonEmptyGroup = 68,
    /// <summary>The broker (admin): the group does not exist.</summary>
    GroupIdNotFound = 69,
}

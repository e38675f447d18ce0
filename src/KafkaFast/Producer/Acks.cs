namespace KafkaFast.Producer;

/// <summary>How many replicas must acknowledge a message before it counts as delivered (librdkafka's acks).</summary>
public enum Acks
{
    /// <summary>The leader and every in-sync replica (acks=all, -1). Required by idempotence.</summary>
    All = -1,
    /// <summary>No acknowledgement: delivered means handed to the socket (acks=0).</summary>
    None = 0,
    /// <summary>The partition leader only (acks=1).</summary>
    Leader = 1,
}

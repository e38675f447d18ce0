namespace KafkaFast.Producer;

/// <summary>An awaitable produce failed: the message was not delivered (or was not accepted at all).</summary>
public sealed class ProduceException : KafkaException
{
    internal ProduceException(KafkaErrorCode code, string message, string topic, int partition, PersistenceStatus status)
        : base(code, message)
    {
        Topic = topic;
        Partition = partition;
        Status = status;
    }

    /// <summary>The topic.</summary>
    public string Topic { get; }

    /// <summary>The partition, or -1 when none was chosen.</summary>
    public int Partition { get; }

    /// <summary>Whether the broker may have stored it anyway.</summary>
    public PersistenceStatus Status { get; }
}

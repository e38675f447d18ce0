namespace KafkaFast.Producer;

/// <summary>Whether a message is known to be stored by the broker (librdkafka's rd_kafka_msg_status_t).</summary>
public enum PersistenceStatus
{
    /// <summary>Never sent, or the broker said it failed: safe to retry.</summary>
    NotPersisted = 0,
    /// <summary>Sent, but no answer came: it may or may not be stored.</summary>
    PossiblyPersisted = 1,
    /// <summary>The broker acknowledged it.</summary>
    Persisted = 2,
}

namespace KafkaFast;

/// <summary>What a message timestamp means (librdkafka's rd_kafka_timestamp_type_t).</summary>
public enum TimestampType
{
    /// <summary>No timestamp.</summary>
    NotAvailable = 0,
    /// <summary>Set by the producer (or the application).</summary>
    CreateTime = 1,
    /// <summary>Set by the broker when it appended the message (topics with message.timestamp.type=LogAppendTime).</summary>
    LogAppendTime = 2,
}

namespace KafkaFast;

/// <summary>What a message's timestamp means.</summary>
public enum TimestampType
{
    /// <summary>The message has no timestamp.</summary>
    NotAvailable = 0,

    /// <summary>Set by the producer when the message was created.</summary>
    CreateTime = 1,

    /// <summary>Set by the broker when the message was appended to the log.</summary>
    LogAppendTime = 2,
}

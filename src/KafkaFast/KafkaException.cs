namespace KafkaFast;

/// <summary>An error reported by Kafka or librdkafka, with its code.</summary>
public class KafkaException : Exception
{
    /// <summary>Creates an exception for <paramref name="code"/> with librdkafka's description.</summary>
    public KafkaException(KafkaErrorCode code, string message) : base(message) => Code = code;

    /// <summary>The error code.</summary>
    public KafkaErrorCode Code { get; }
}

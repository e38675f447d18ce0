namespace KafkaFast.Consumer;

/// <summary>
/// A consumer error tied to a topic or partition (unknown topic, authorization failure, offset out of range with
/// <see cref="AutoOffsetReset.Error"/>, ...), thrown by the consume calls. Messages already read are never dropped
/// for it: a batch that contains them is returned first and the error is thrown by the next call.
/// </summary>
public sealed class KafkaConsumeException : KafkaException
{
    /// <summary>Creates the exception.</summary>
    public KafkaConsumeException(KafkaErrorCode code, string message, string? topic, int partition, long offset)
        : base(code, message)
    {
        Topic = topic;
        Partition = partition;
        Offset = offset;
    }

    /// <summary>The topic the error concerns, or null when it concerns the group.</summary>
    public string? Topic { get; }

    /// <summary>The partition the error concerns, or -1.</summary>
    public int Partition { get; }

    /// <summary>The offset the error concerns, or <see cref="KafkaOffset.Unset"/>.</summary>
    public long Offset { get; }
}

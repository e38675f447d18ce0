namespace KafkaFast.Producer;

/// <summary>
/// A message that was accepted but not delivered, with the reason. Published on
/// <see cref="KafkaProducer.Failures"/>; carries copies of the key and value so the application can retry or park it.
/// </summary>
public sealed class DeliveryFailure
{
    internal DeliveryFailure(string topic, int partition, KafkaErrorCode error, string reason, PersistenceStatus status, byte[] key, byte[] value)
    {
        Topic = topic;
        Partition = partition;
        Error = error;
        Reason = reason;
        Status = status;
        Key = key;
        Value = value;
    }

    /// <summary>The topic.</summary>
    public string Topic { get; }

    /// <summary>The partition it was meant for (-1 if none was chosen).</summary>
    public int Partition { get; }

    /// <summary>The error code: a broker error, <see cref="KafkaErrorCode.MessageTimedOut"/>, or a purge at close.</summary>
    public KafkaErrorCode Error { get; }

    /// <summary>A human-readable reason.</summary>
    public string Reason { get; }

    /// <summary>Whether the broker may have stored it anyway.</summary>
    public PersistenceStatus Status { get; }

    /// <summary>A copy of the key (empty when it had none).</summary>
    public byte[] Key { get; }

    /// <summary>A copy of the value.</summary>
    public byte[] Value { get; }

    /// <inheritdoc/>
    public override string ToString() => $"{Topic}[{Partition}]: {Error} ({Reason})";
}

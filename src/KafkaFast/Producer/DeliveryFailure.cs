namespace KafkaFast.Producer;

/// <summary>
/// A message that was accepted but not delivered, with the reason. Published on
/// <see cref="KafkaProducer.Failures"/>; carries copies of the key and value (within
/// <see cref="KafkaProducerOptions.FailureBufferBytes"/>, see <see cref="BytesKept"/>) so the application can retry
/// or park it.
/// </summary>
public sealed class DeliveryFailure
{
    internal DeliveryFailure(string topic, int partition, KafkaErrorCode error, string reason, PersistenceStatus status,
        byte[] key, byte[] value, int keyLength, int valueLength, bool isKeyNull, bool isValueNull, bool bytesKept)
    {
        Topic = topic;
        Partition = partition;
        Error = error;
        Reason = reason;
        Status = status;
        Key = key;
        Value = value;
        KeyLength = keyLength;
        ValueLength = valueLength;
        IsKeyNull = isKeyNull;
        IsValueNull = isValueNull;
        BytesKept = bytesKept;
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

    /// <summary>A copy of the key: empty when the key was empty or null (<see cref="IsKeyNull"/>), or when <see cref="BytesKept"/> is false.</summary>
    public byte[] Key { get; }

    /// <summary>A copy of the value: empty when the value was empty or null (<see cref="IsValueNull"/>), or when <see cref="BytesKept"/> is false.</summary>
    public byte[] Value { get; }

    /// <summary>The key's length in bytes, whether or not it was copied.</summary>
    public int KeyLength { get; }

    /// <summary>The value's length in bytes, whether or not it was copied.</summary>
    public int ValueLength { get; }

    /// <summary>True when the message had no key (null, as opposed to empty).</summary>
    public bool IsKeyNull { get; }

    /// <summary>True when the message was a tombstone (null value, as opposed to empty).</summary>
    public bool IsValueNull { get; }

    /// <summary>
    /// Whether <see cref="Key"/> and <see cref="Value"/> hold copies of the message's bytes. False when the unread
    /// reports already held <see cref="KafkaProducerOptions.FailureBufferBytes"/> of copies: this report carries the
    /// metadata only (topic, partition, error, reason, lengths), so failures never grow memory without bound.
    /// </summary>
    public bool BytesKept { get; }

    /// <inheritdoc/>
    public override string ToString() => $"{Topic}[{Partition}]: {Error} ({Reason})";
}

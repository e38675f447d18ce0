namespace KafkaFast.Consumer;

/// <summary>
/// A client-level error (brokers down, transport failure, failed automatic commit, ...). librdkafka keeps
/// retrying non-fatal ones on its own; a fatal one stops the consumer and is also thrown by the consume calls.
/// </summary>
public sealed class KafkaErrorEventArgs : EventArgs
{
    internal KafkaErrorEventArgs(KafkaErrorCode code, string reason, bool isFatal)
    {
        Code = code;
        Reason = reason;
        IsFatal = isFatal;
    }

    /// <summary>The error code.</summary>
    public KafkaErrorCode Code { get; }

    /// <summary>librdkafka's description.</summary>
    public string Reason { get; }

    /// <summary>True when the consumer can no longer be used.</summary>
    public bool IsFatal { get; }

    /// <inheritdoc/>
    public override string ToString() => $"{(IsFatal ? "Fatal " : string.Empty)}{Code}: {Reason}";
}

namespace KafkaFast.Producer;

/// <summary>
/// A message for the batch and awaitable calls. The bytes are copied into the producer's buffer during the call,
/// so the caller may reuse its memory as soon as the call returns (or, for awaitable calls, once it completes).
/// </summary>
/// <param name="Key">The key; empty means no key (sent as null).</param>
/// <param name="Value">The value (may be empty).</param>
public readonly record struct ProducerMessage(ReadOnlyMemory<byte> Key, ReadOnlyMemory<byte> Value)
{
    /// <summary>Headers, in order; empty for none.</summary>
    public ReadOnlyMemory<KafkaHeader> Headers { get; init; }

    /// <summary>An explicit partition, or <see cref="KafkaPartition.Any"/> for the partitioner's choice.</summary>
    public int Partition { get; init; } = KafkaPartition.Any;

    /// <summary>The message timestamp; null means the time librdkafka enqueues it.</summary>
    public DateTimeOffset? Timestamp { get; init; }
}

namespace KafkaFast.Producer;

/// <summary>
/// A message for the batch and awaitable calls. The bytes are copied into the producer's buffer during the call,
/// so the caller may reuse its memory as soon as the call returns (or, for awaitable calls, once it completes).
/// </summary>
/// <remarks>
/// Kafka tells a null key or value from an empty one, and so does this type: <see cref="Key"/> and
/// <see cref="Value"/> are sent exactly as given (empty is empty, zero bytes). For no key use
/// <see cref="ProducerMessage(ReadOnlyMemory{byte})"/> (or set <see cref="IsKeyNull"/>); for a tombstone (a null
/// value: the delete marker of compacted topics) use <see cref="Tombstone"/> (or set <see cref="IsValueNull"/>).
/// A null key or value must have no bytes; a produce call throws <see cref="ArgumentException"/> otherwise.
/// </remarks>
/// <param name="Key">The key, sent as given (empty is an empty key, not a null one).</param>
/// <param name="Value">The value, sent as given (may be empty).</param>
public readonly record struct ProducerMessage(ReadOnlyMemory<byte> Key, ReadOnlyMemory<byte> Value)
{
    /// <summary>A message without a key (null key): the partitioner spreads such messages (sticky per topic, as librdkafka).</summary>
    public ProducerMessage(ReadOnlyMemory<byte> value)
        : this(default, value) => IsKeyNull = true;

    /// <summary>Headers, in order; empty for none.</summary>
    public ReadOnlyMemory<KafkaHeader> Headers { get; init; }

    /// <summary>An explicit partition, or <see cref="KafkaPartition.Any"/> for the partitioner's choice.</summary>
    public int Partition { get; init; } = KafkaPartition.Any;

    /// <summary>The message timestamp; null means the time librdkafka enqueues it.</summary>
    public DateTimeOffset? Timestamp { get; init; }

    /// <summary>True for a message without a key (null key, as opposed to an empty one); <see cref="Key"/> must then be empty.</summary>
    public bool IsKeyNull { get; init; }

    /// <summary>True for a null value, a tombstone (as opposed to an empty value); <see cref="Value"/> must then be empty.</summary>
    public bool IsValueNull { get; init; }

    /// <summary>
    /// A tombstone: <paramref name="key"/> with a null value, which tells a compacted topic to delete the key's
    /// earlier values.
    /// </summary>
    public static ProducerMessage Tombstone(ReadOnlyMemory<byte> key) => new(key, default) { IsValueNull = true };
}

namespace KafkaFast.Consumer;

/// <summary>Where to start reading a partition for which the group has no committed offset (auto.offset.reset).</summary>
public enum AutoOffsetReset
{
    /// <summary>Only messages written after the consumer joined (Kafka's default).</summary>
    Latest = 0,

    /// <summary>The oldest message still in the partition.</summary>
    Earliest = 1,

    /// <summary>Fail: consuming reports <see cref="KafkaConsumeException"/> for the partition.</summary>
    Error = 2,
}

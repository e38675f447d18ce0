using System.Globalization;

namespace KafkaFast.Admin;

/// <summary>Which offset <see cref="KafkaAdminClient.ListOffsetsAsync"/> asks each partition for.</summary>
public readonly record struct OffsetSpec
{
    private OffsetSpec(long value) => Value = value;

    /// <summary>The oldest offset still in the partition.</summary>
    public static OffsetSpec Earliest { get; } = new(-2);

    /// <summary>The end of the partition: the offset the next message will get.</summary>
    public static OffsetSpec Latest { get; } = new(-1);

    /// <summary>The offset of the message with the largest timestamp.</summary>
    public static OffsetSpec MaxTimestamp { get; } = new(-3);

    /// <summary>The earliest offset whose timestamp is at or after <paramref name="time"/> (-1 when every message is older).</summary>
    public static OffsetSpec ForTimestamp(DateTimeOffset time) => ForTimestamp(time.ToUnixTimeMilliseconds());

    /// <summary>The earliest offset whose timestamp is at or after <paramref name="unixTimeMilliseconds"/> (-1 when every message is older).</summary>
    public static OffsetSpec ForTimestamp(long unixTimeMilliseconds)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(unixTimeMilliseconds);
        return new OffsetSpec(unixTimeMilliseconds);
    }

    /// <summary>librdkafka's encoding: -1 latest, -2 earliest, -3 max timestamp, else a timestamp in ms.</summary>
    internal long Value { get; }

    /// <inheritdoc/>
    public override string ToString() => Value switch
    {
        -2 => "earliest",
        -1 => "latest",
        -3 => "max-timestamp",
        _ => "timestamp " + Value.ToString(CultureInfo.InvariantCulture),
    };
}

/// <summary>An offset found by <see cref="KafkaAdminClient.ListOffsetsAsync"/>.</summary>
/// <param name="Partition">The partition.</param>
/// <param name="Offset">The offset; -1 when asked for a timestamp later than every message of the partition.</param>
/// <param name="Timestamp">The timestamp of the message at that offset (ms since the Unix epoch), or -1 when not known.</param>
public readonly record struct ListedOffset(TopicPartition Partition, long Offset, long Timestamp);

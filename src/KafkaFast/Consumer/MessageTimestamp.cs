namespace KafkaFast.Consumer;

/// <summary>A consumed message's timestamp: milliseconds since the Unix epoch and what they mean.</summary>
/// <param name="UnixTimeMilliseconds">Milliseconds since 1970-01-01T00:00:00Z; -1 when <paramref name="Type"/> is NotAvailable.</param>
/// <param name="Type">Producer (create) time or broker (log append) time.</param>
public readonly record struct MessageTimestamp(long UnixTimeMilliseconds, TimestampType Type)
{
    /// <summary>The timestamp as a <see cref="DateTimeOffset"/> (UTC); <see cref="DateTimeOffset.UnixEpoch"/> when not available.</summary>
    public DateTimeOffset ToDateTimeOffset() =>
        Type == TimestampType.NotAvailable ? DateTimeOffset.UnixEpoch : DateTimeOffset.FromUnixTimeMilliseconds(UnixTimeMilliseconds);
}

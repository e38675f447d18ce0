namespace KafkaFast.Producer;

/// <summary>Where a delivered message was written.</summary>
/// <param name="Topic">The topic.</param>
/// <param name="Partition">The partition.</param>
/// <param name="Offset">Its offset in the partition (-1 when acks=0: the broker returns none).</param>
/// <param name="Timestamp">Its timestamp as the broker reported it.</param>
/// <param name="TimestampType">Whether that is the create time or the broker's log-append time.</param>
public readonly record struct DeliveryResult(string Topic, int Partition, long Offset, DateTimeOffset Timestamp, TimestampType TimestampType);

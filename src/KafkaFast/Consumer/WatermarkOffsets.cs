namespace KafkaFast.Consumer;

/// <summary>A partition's bounds: the oldest offset still kept and the offset the next message will get.</summary>
/// <param name="Low">The offset of the oldest message in the partition (<see cref="KafkaOffset.Unset"/> when unknown).</param>
/// <param name="High">The high watermark: one past the last committed message (<see cref="KafkaOffset.Unset"/> when unknown).</param>
public readonly record struct WatermarkOffsets(long Low, long High);

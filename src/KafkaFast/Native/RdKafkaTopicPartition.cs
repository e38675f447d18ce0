using System.Runtime.InteropServices;

namespace KafkaFast.Native;

/// <summary>
/// rd_kafka_topic_partition_t (x86_64, 64 bytes; offsets asserted by tests). Only ever read or written in place
/// inside a list librdkafka allocated (<see cref="SafeTopicPartitionListHandle"/>); never created or copied by us,
/// because <see cref="Private"/> is librdkafka's ("do not copy, do not share").
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = 64)]
internal unsafe struct RdKafkaTopicPartition
{
    [FieldOffset(0)] public byte* Topic;
    [FieldOffset(8)] public int Partition;
    [FieldOffset(16)] public long Offset;
    [FieldOffset(24)] public void* Metadata;
    [FieldOffset(32)] public nuint MetadataSize;
    [FieldOffset(40)] public void* Opaque;
    [FieldOffset(48)] public int Err;
    [FieldOffset(56)] public void* Private;
}

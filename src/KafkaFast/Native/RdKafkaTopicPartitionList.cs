using System.Runtime.InteropServices;

namespace KafkaFast.Native;

/// <summary>rd_kafka_topic_partition_list_t (16 bytes): <c>cnt</c> used elements of an array of <c>size</c>.</summary>
[StructLayout(LayoutKind.Explicit, Size = 16)]
internal unsafe struct RdKafkaTopicPartitionList
{
    [FieldOffset(0)] public int Count;
    [FieldOffset(4)] public int Size;
    [FieldOffset(8)] public RdKafkaTopicPartition* Elements;
}

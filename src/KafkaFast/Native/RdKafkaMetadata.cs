using System.Runtime.InteropServices;

namespace KafkaFast.Native;

/// <summary>struct rd_kafka_metadata (48 bytes).</summary>
[StructLayout(LayoutKind.Explicit, Size = 48)]
internal unsafe struct RdKafkaMetadata
{
    [FieldOffset(0)] public int BrokerCount;
    [FieldOffset(8)] public void* Brokers;
    [FieldOffset(16)] public int TopicCount;
    [FieldOffset(24)] public RdKafkaMetadataTopic* Topics;
    [FieldOffset(32)] public int OriginBrokerId;
    [FieldOffset(40)] public byte* OriginBrokerName;
}

/// <summary>struct rd_kafka_metadata_topic (32 bytes).</summary>
[StructLayout(LayoutKind.Explicit, Size = 32)]
internal unsafe struct RdKafkaMetadataTopic
{
    [FieldOffset(0)] public byte* Topic;
    [FieldOffset(8)] public int PartitionCount;
    [FieldOffset(16)] public void* Partitions;
    [FieldOffset(24)] public int Err;
}

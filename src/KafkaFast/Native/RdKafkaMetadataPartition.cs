using System.Runtime.InteropServices;

namespace KafkaFast.Native;

/// <summary>struct rd_kafka_metadata_partition (x86_64, 40 bytes; offsets asserted by tests).</summary>
[StructLayout(LayoutKind.Explicit, Size = 40)]
internal unsafe struct RdKafkaMetadataPartition
{
    [FieldOffset(0)] public int Id;
    [FieldOffset(4)] public int Err;
    [FieldOffset(8)] public int Leader;
    [FieldOffset(12)] public int ReplicaCount;
    [FieldOffset(16)] public int* Replicas;
    [FieldOffset(24)] public int IsrCount;
    [FieldOffset(32)] public int* Isrs;
}

/// <summary>struct rd_kafka_metadata_broker (x86_64, 24 bytes; offsets asserted by tests).</summary>
[StructLayout(LayoutKind.Explicit, Size = 24)]
internal unsafe struct RdKafkaMetadataBroker
{
    [FieldOffset(0)] public int Id;
    [FieldOffset(8)] public byte* Host;
    [FieldOffset(16)] public int Port;
}

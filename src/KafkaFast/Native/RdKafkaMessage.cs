using System.Runtime.InteropServices;

namespace KafkaFast.Native;

/// <summary>
/// rd_kafka_message_t (x86_64, 72 bytes; offsets asserted by tests). Produce: we fill payload, len, key,
/// key_len and _private; librdkafka writes err. Delivery reports: librdkafka fills every field.
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = 72)]
internal unsafe struct RdKafkaMessage
{
    [FieldOffset(0)] public int Err;
    [FieldOffset(8)] public nint Topic;
    [FieldOffset(16)] public int Partition;
    [FieldOffset(24)] public byte* Payload;
    [FieldOffset(32)] public nuint Length;
    [FieldOffset(40)] public byte* Key;
    [FieldOffset(48)] public nuint KeyLength;
    [FieldOffset(56)] public long Offset;
    /// <summary>The opaque: for producing, the address of the message's record in a slab.</summary>
    [FieldOffset(64)] public void* Private;
}

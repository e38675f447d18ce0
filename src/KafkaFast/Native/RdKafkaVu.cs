using System.Runtime.InteropServices;

namespace KafkaFast.Native;

/// <summary>rd_kafka_vu_t (72 bytes): one typed argument of rd_kafka_produceva.</summary>
[StructLayout(LayoutKind.Explicit, Size = 72)]
internal unsafe struct RdKafkaVu
{
    internal const int End = 0;
    internal const int TopicName = 1;
    internal const int TopicHandle = 2;
    internal const int PartitionType = 3;
    internal const int Value = 4;
    internal const int Key = 5;
    internal const int Opaque = 6;
    internal const int MsgFlags = 7;
    internal const int Timestamp = 8;
    internal const int Header = 9;

    [FieldOffset(0)] public int Type;
    [FieldOffset(8)] public nint Pointer;        // cstr, rkt, ptr, mem.ptr, header.name
    [FieldOffset(8)] public int Int32;           // partition, msgflags
    [FieldOffset(8)] public long Int64;          // timestamp
    [FieldOffset(16)] public nuint Size;         // mem.size
    [FieldOffset(16)] public nint HeaderValue;   // header.val
    [FieldOffset(24)] public nint HeaderSize;    // header.size (ssize_t)

    public static RdKafkaVu OfPointer(int type, void* pointer) => new() { Type = type, Pointer = (nint)pointer };

    public static RdKafkaVu OfMemory(int type, void* pointer, nuint size) => new() { Type = type, Pointer = (nint)pointer, Size = size };

    public static RdKafkaVu OfInt32(int type, int value) => new() { Type = type, Int32 = value };

    public static RdKafkaVu OfInt64(int type, long value) => new() { Type = type, Int64 = value };

    public static RdKafkaVu OfHeader(byte* name, byte* value, nint size) =>
        new() { Type = Header, Pointer = (nint)name, HeaderValue = (nint)value, HeaderSize = size };
}

using System.Runtime.InteropServices;

namespace KafkaFast.Buffers;

/// <summary>
/// The header of one message in a slab; key, value and headers follow it. librdkafka reads the key and value
/// in place (zero-copy), so a record stays untouched from commit until its delivery report.
/// </summary>
/// <remarks>
/// Layout after the 48-byte header: key bytes, value bytes, then per header: int32 name length (without NUL),
/// name bytes, NUL, int32 value length, value bytes. Records start 8-byte aligned; <see cref="TotalSize"/> is
/// the distance to the next record and includes padding.
/// A null key or value (<see cref="Flags"/>) has length 0 and takes no bytes; the worker hands librdkafka a null
/// pointer for it (Kafka tells null from empty: a null value is a tombstone).
///
/// <see cref="State"/> is the publication flag: a request thread writes every other field, then stores
/// <see cref="StateCommitted"/> with release semantics; the worker loads it with acquire semantics before reading
/// anything else. A slab is zeroed before reuse, so 0 reliably means "not written yet".
/// </remarks>
[StructLayout(LayoutKind.Explicit, Size = Size)]
internal struct MessageRecord
{
    internal const int Size = 48;

    /// <summary>Reserved but not yet written (or never reserved).</summary>
    internal const int StateEmpty = 0;
    /// <summary>Written and published: the worker may hand it to librdkafka.</summary>
    internal const int StateCommitted = 1;
    /// <summary>Space to skip: an abandoned write (the serializer threw) or padding.</summary>
    internal const int StateSkip = 2;
    /// <summary>Worker-only: delivered or failed, its report taken (written by the worker after the commit).</summary>
    internal const int StateReported = 3;

    [FieldOffset(0)] public int State;
    [FieldOffset(4)] public int TotalSize;
    [FieldOffset(8)] public int Partition;
    [FieldOffset(12)] public int KeyLength;
    [FieldOffset(16)] public int ValueLength;
    [FieldOffset(20)] public int HeadersLength;
    [FieldOffset(24)] public int TopicIndex;
    /// <summary>Id of the awaiting completion source, or 0 for fire-and-forget.</summary>
    [FieldOffset(28)] public int CompletionId;
    /// <summary>Unix milliseconds, or 0 to let librdkafka stamp it.</summary>
    [FieldOffset(32)] public long Timestamp;
    [FieldOffset(40)] public int SlabIndex;
    /// <summary>At most <see cref="MaxHeaderCount"/>: the request path refuses more.</summary>
    [FieldOffset(44)] public ushort HeaderCount;
    /// <summary><see cref="FlagKeyNull"/>, <see cref="FlagValueNull"/>.</summary>
    [FieldOffset(46)] public ushort Flags;

    /// <summary>The key is null (no key), not empty: librdkafka gets a null key pointer.</summary>
    internal const ushort FlagKeyNull = 1;
    /// <summary>The value is null (a tombstone), not empty: librdkafka gets a null payload pointer.</summary>
    internal const ushort FlagValueNull = 2;

    /// <summary>Most headers one message may carry (<see cref="HeaderCount"/> is 16 bits).</summary>
    internal const int MaxHeaderCount = ushort.MaxValue;

    /// <summary>
    /// What librdkafka adds to key + value + headers when it checks message.max.bytes (rd_kafka_msg_new0 with
    /// rd_kafka_msg_max_wire_size: RD_KAFKAP_MESSAGE_V2_MAX_OVERHEAD, the worst-case varints of a v2 record:
    /// length 5, attributes 1, timestamp delta 10, offset delta 5, key length 5, value length 5, header count 5).
    /// </summary>
    internal const int LibrdkafkaRecordOverhead = 36;

    /// <summary>Whether it needs rd_kafka_produceva (headers or an explicit timestamp) instead of a batch call.</summary>
    public readonly bool NeedsSingleProduce => HeaderCount != 0 || Timestamp != 0;

    /// <summary>Whether the key is null (as opposed to empty).</summary>
    public readonly bool IsKeyNull => (Flags & FlagKeyNull) != 0;

    /// <summary>Whether the value is null (a tombstone), as opposed to empty.</summary>
    public readonly bool IsValueNull => (Flags & FlagValueNull) != 0;

    /// <summary>
    /// The size librdkafka compares with message.max.bytes: <see cref="LibrdkafkaRecordOverhead"/> + key + value +
    /// the headers' serialized size (<see cref="HeaderCodec.Measure"/>). A message librdkafka would refuse for its size
    /// must be refused at the call, never fail later at delivery.
    /// </summary>
    internal static long LibrdkafkaSize(long keyLength, long valueLength, long headersWireSize) =>
        LibrdkafkaRecordOverhead + keyLength + valueLength + headersWireSize;

    /// <summary>
    /// What librdkafka allocates for each message handed to it: its rd_kafka_msg_t (~190 bytes, 208 with malloc's
    /// header for a 16-byte key, measured with mallinfo2 on 2.16), a copy of the key, and for headers about 48 bytes
    /// each plus their names and values. Charged to the budget from hand-off to delivery report (SlabArena), at most
    /// <paramref name="cap"/> (one slab) per message.
    /// </summary>
    internal static long LibrdkafkaOverhead(long keyLength, int headerCount, long headersLength, long cap) =>
        Math.Min(cap, 200 + keyLength + (48L * headerCount) + headersLength);

    /// <summary>Slab space a message takes: its record header, key, value and headers, 8-byte aligned.</summary>
    internal static long SizeFor(long keyLength, long valueLength, long headersLength, int headerCount = 0) =>
        (Size + keyLength + valueLength + headersLength + 7) & ~7L;
}

using System.Runtime.InteropServices;

namespace KafkaFast.Buffers;

/// <summary>
/// A 64-bit value alone on its cache line (64 bytes free on each side), so that a field one thread hammers
/// (a slab's tail, a counter) does not share a line with fields another thread writes (false sharing).
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = 128)]
internal struct PaddedInt64
{
    [FieldOffset(64)] public long Value;
}

using System.Runtime.InteropServices;

namespace KafkaFast.Native;

/// <summary>
/// One block of native memory: a private anonymous mapping, page-aligned and zero-filled, whose pages become
/// resident only when first written. <see cref="Discard"/> hands a range's pages back to the kernel (they read
/// back as zeros), so the block's resident size can shrink again. Unmapped when released.
/// </summary>
internal sealed unsafe class SafeNativeMemoryHandle : SafeHandle
{
    internal SafeNativeMemoryHandle(nuint size) : base(IntPtr.Zero, ownsHandle: true)
    {
        nint address = LibC.Mmap(0, size, LibC.ProtReadWrite, LibC.MapPrivateAnonymousNoReserve, -1, 0);
        if (address == -1)
        {
            throw new InsufficientMemoryException($"mmap of {size} bytes for the memory budget failed: errno {Marshal.GetLastPInvokeError()}");
        }

        SetHandle(address);
        Size = size;
    }

    internal nuint Size { get; }

    internal byte* Pointer => (byte*)handle;

    public override bool IsInvalid => handle == IntPtr.Zero;

    /// <summary>Releases the pages of [<paramref name="offset"/>, +<paramref name="length"/>) (page-aligned): no longer resident, zero when next read.</summary>
    internal void Discard(long offset, long length) => _ = LibC.Madvise(handle + (nint)offset, (nuint)length, LibC.MadvDontNeed);

    protected override bool ReleaseHandle() => LibC.Munmap(handle, Size) == 0;
}

using System.Runtime.InteropServices;

namespace KafkaFast.Native;

/// <summary>One block of native memory (NativeMemory.AllocZeroed), freed when released.</summary>
internal sealed unsafe class SafeNativeMemoryHandle : SafeHandle
{
    internal SafeNativeMemoryHandle(nuint size) : base(IntPtr.Zero, ownsHandle: true)
    {
        SetHandle((nint)NativeMemory.AllocZeroed(size));
        Size = size;
    }

    internal nuint Size { get; }

    internal byte* Pointer => (byte*)handle;

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        NativeMemory.Free((void*)handle);
        return true;
    }
}

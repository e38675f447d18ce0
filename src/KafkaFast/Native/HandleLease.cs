using System.Runtime.InteropServices;

namespace KafkaFast.Native;

/// <summary>
/// Holds a reference on a SafeHandle for a scope (DangerousAddRef/DangerousRelease), so the raw pointer stays valid
/// even if another thread disposes the handle meanwhile: the release is then deferred to <see cref="Dispose"/>.
/// Throws ObjectDisposedException when the handle is already closed. No allocation.
/// </summary>
internal ref struct HandleLease
{
    private readonly SafeHandle _handle;
    private bool _added;

    internal HandleLease(SafeHandle handle)
    {
        _handle = handle;
        _added = false;
        handle.DangerousAddRef(ref _added);
        Pointer = handle.DangerousGetHandle();
    }

    /// <summary>The native pointer, valid until <see cref="Dispose"/>.</summary>
    internal nint Pointer { get; }

    public void Dispose()
    {
        if (_added)
        {
            _added = false;
            _handle.DangerousRelease();
        }
    }
}

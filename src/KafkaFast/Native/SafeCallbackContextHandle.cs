using System.Runtime.InteropServices;

namespace KafkaFast.Native;

/// <summary>
/// The opaque pointer librdkafka passes to every callback: a weak GCHandle to the managed client, so callbacks
/// never keep an abandoned client alive (its finalizers can then run; callbacks during that teardown see no target
/// and fall back to defaults). Also keeps alive native resources librdkafka uses until it is destroyed (the
/// wake-up fd it writes to).
/// <para>
/// Lifetime rule: librdkafka may call back until rd_kafka_destroy returns, so the rd_kafka_t's SafeKafkaHandle
/// holds this handle (KeepAliveUntilDestroyed) and the GCHandle is freed only after destroy.
/// </para>
/// </summary>
internal sealed class SafeCallbackContextHandle : SafeHandle
{
    private readonly List<SafeHandle> _dependents = [];

    internal SafeCallbackContextHandle(object target) : base(IntPtr.Zero, ownsHandle: true) =>
        SetHandle(GCHandle.ToIntPtr(GCHandle.Alloc(target, GCHandleType.Weak)));

    public override bool IsInvalid => handle == IntPtr.Zero;

    /// <summary>The value to pass to librdkafka as opaque.</summary>
    internal nint Opaque => handle;

    /// <summary>The managed client behind an opaque, or null when it has been collected (or opaque is 0).</summary>
    internal static T? Resolve<T>(nint opaque) where T : class =>
        opaque == 0 ? null : GCHandle.FromIntPtr(opaque).Target as T;

    /// <summary>Called once the handle is released (librdkafka destroyed): a diagnostics hook for tests.</summary>
    internal Action? Released { get; set; }

    /// <summary>Keeps <paramref name="dependent"/> open until this handle is released.</summary>
    internal void KeepAlive(SafeHandle dependent)
    {
        bool added = false;
        dependent.DangerousAddRef(ref added);
        _dependents.Add(dependent);
    }

    protected override bool ReleaseHandle()
    {
        GCHandle.FromIntPtr(handle).Free();
        foreach (SafeHandle dependent in _dependents)
        {
            dependent.DangerousRelease();
        }

        try
        {
            Released?.Invoke();
        }
        catch (Exception)
        {
            // Diagnostics only; a release must not fail.
        }

        return true;
    }
}

using System.Runtime.InteropServices;

namespace KafkaFast.Native;

/// <summary>Owns an rd_kafka_conf_t until rd_kafka_new takes it.</summary>
internal sealed class SafeConfigHandle : SafeHandle
{
    public SafeConfigHandle() : base(IntPtr.Zero, ownsHandle: true) => SetHandle(LibRdKafka.ConfNew());

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        LibRdKafka.ConfDestroy(handle);
        return true;
    }
}

/// <summary>
/// Owns an rd_kafka_t. Children (topics, queues, mock cluster) AddRef it so it is destroyed last, and it can
/// keep native memory alive that librdkafka still reads (zero-copy payloads) until rd_kafka_destroy returns.
/// </summary>
internal sealed class SafeKafkaHandle : SafeHandle
{
    private SafeHandle? _keepAliveUntilDestroyed;

    internal SafeKafkaHandle(nint rk) : base(IntPtr.Zero, ownsHandle: true) => SetHandle(rk);

    public override bool IsInvalid => handle == IntPtr.Zero;

    /// <summary>Keeps <paramref name="memory"/> from being released until after rd_kafka_destroy (it holds payloads librdkafka reads).</summary>
    internal void KeepAliveUntilDestroyed(SafeHandle memory)
    {
        bool added = false;
        memory.DangerousAddRef(ref added);
        _keepAliveUntilDestroyed = memory;
    }

    /// <summary>
    /// Set by a consumer until its owner has closed it: rd_kafka_destroy then closes the consumer first (leaves the
    /// group, commits), which waits for the brokers (about the session timeout when they are unreachable). This
    /// handle may be released on the finalizer thread, which must never wait, so the destroy runs on a new
    /// background thread instead.
    /// </summary>
    internal bool DestroyInBackground
    {
        get => Volatile.Read(ref _destroyInBackground);
        set => Volatile.Write(ref _destroyInBackground, value);
    }

    private bool _destroyInBackground;

    protected override bool ReleaseHandle()
    {
        nint rk = handle;
        SafeHandle? keepAlive = _keepAliveUntilDestroyed;
        if (DestroyInBackground)
        {
            try
            {
                var thread = new Thread(() => Destroy(rk, keepAlive)) { IsBackground = true, Name = "KafkaFast destroy" };
                thread.UnsafeStart();
                return true;
            }
            catch (OutOfMemoryException)
            {
                // No thread to be had: destroy here rather than leak.
            }
        }

        Destroy(rk, keepAlive);
        return true;
    }

    private static void Destroy(nint rk, SafeHandle? keepAlive)
    {
        LibRdKafka.Destroy(rk);
        keepAlive?.DangerousRelease();
    }
}

/// <summary>Base for handles whose native object belongs to an rd_kafka_t and must be destroyed before it.</summary>
internal abstract class SafeKafkaChildHandle : SafeHandle
{
    private readonly SafeKafkaHandle _parent;

    protected SafeKafkaChildHandle(SafeKafkaHandle parent, nint child) : base(IntPtr.Zero, ownsHandle: true)
    {
        _parent = parent;
        if (child != 0)
        {
            bool added = false;
            parent.DangerousAddRef(ref added);
            SetHandle(child);
        }
    }

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected abstract void Destroy(nint child);

    protected override bool ReleaseHandle()
    {
        Destroy(handle);
        _parent.DangerousRelease();
        return true;
    }
}

internal sealed class SafeTopicHandle(SafeKafkaHandle parent, nint rkt) : SafeKafkaChildHandle(parent, rkt)
{
    protected override void Destroy(nint child) => LibRdKafka.TopicDestroy(child);
}

internal sealed class SafeQueueHandle(SafeKafkaHandle parent, nint queue) : SafeKafkaChildHandle(parent, queue)
{
    protected override void Destroy(nint child) => LibRdKafka.QueueDestroy(child);
}

internal sealed class SafeMockClusterHandle(SafeKafkaHandle parent, nint cluster) : SafeKafkaChildHandle(parent, cluster)
{
    protected override void Destroy(nint child) => LibRdKafka.MockClusterDestroy(child);
}

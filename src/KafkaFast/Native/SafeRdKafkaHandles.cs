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
    /// Set by a consumer until its owner has closed it. Released then (by the finalizers of an abandoned consumer),
    /// rd_kafka_destroy would first close the consumer (commit, leave the group), which waits for the brokers: about
    /// the session timeout when they are unreachable. The finalizer thread must never wait, so such a consumer is
    /// destroyed without that close (RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE: the group reassigns its partitions after
    /// its session times out, and what it stored but did not commit is read again), on a background thread (joining
    /// librdkafka's threads is not the finalizer's business either).
    /// </summary>
    internal bool ConsumerNotClosed
    {
        get => Volatile.Read(ref _consumerNotClosed);
        set => Volatile.Write(ref _consumerNotClosed, value);
    }

    private bool _consumerNotClosed;

    protected override bool ReleaseHandle()
    {
        nint rk = handle;
        SafeHandle? keepAlive = _keepAliveUntilDestroyed;
        if (ConsumerNotClosed)
        {
            try
            {
                var thread = new Thread(() => Destroy(rk, keepAlive, LibRdKafka.DestroyNoConsumerClose)) { IsBackground = true, Name = "KafkaFast destroy" };
                thread.UnsafeStart();
                return true;
            }
            catch (OutOfMemoryException)
            {
                // No thread to be had: destroy here (without the close, so still without waiting for brokers) rather than leak.
                Destroy(rk, keepAlive, LibRdKafka.DestroyNoConsumerClose);
                return true;
            }
        }

        Destroy(rk, keepAlive, 0);
        return true;
    }

    private static void Destroy(nint rk, SafeHandle? keepAlive, int flags)
    {
        if (flags == 0)
        {
            LibRdKafka.Destroy(rk);
        }
        else
        {
            LibRdKafka.DestroyFlags(rk, flags);
        }

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

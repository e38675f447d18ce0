using System.Runtime.InteropServices;

namespace KafkaFast.Native;

/// <summary>
/// Base for librdkafka's Admin API argument objects (NewTopic, DeleteTopic, NewPartitions, ConfigResource,
/// TopicCollection, ListConsumerGroupOffsets, AlterConsumerGroupOffsets). Each lives only for the request call that
/// copies it; the handle destroys it afterwards, or on the finalizer if the call threw midway.
/// </summary>
internal abstract class SafeAdminArgumentHandle : SafeHandle
{
    protected SafeAdminArgumentHandle(nint pointer) : base(IntPtr.Zero, ownsHandle: true) => SetHandle(pointer);

    public override bool IsInvalid => handle == IntPtr.Zero;

    /// <summary>The pointer, for building the argument array of a request call (the caller keeps this handle alive meanwhile).</summary>
    internal nint Pointer => handle;
}

internal sealed class SafeNewTopicHandle(nint pointer) : SafeAdminArgumentHandle(pointer)
{
    protected override bool ReleaseHandle()
    {
        LibRdKafka.NewTopicDestroy(handle);
        return true;
    }
}

internal sealed class SafeDeleteTopicHandle(nint pointer) : SafeAdminArgumentHandle(pointer)
{
    protected override bool ReleaseHandle()
    {
        LibRdKafka.DeleteTopicDestroy(handle);
        return true;
    }
}

internal sealed class SafeNewPartitionsHandle(nint pointer) : SafeAdminArgumentHandle(pointer)
{
    protected override bool ReleaseHandle()
    {
        LibRdKafka.NewPartitionsDestroy(handle);
        return true;
    }
}

internal sealed class SafeConfigResourceHandle(nint pointer) : SafeAdminArgumentHandle(pointer)
{
    protected override bool ReleaseHandle()
    {
        LibRdKafka.ConfigResourceDestroy(handle);
        return true;
    }
}

internal sealed class SafeTopicCollectionHandle(nint pointer) : SafeAdminArgumentHandle(pointer)
{
    protected override bool ReleaseHandle()
    {
        LibRdKafka.TopicCollectionDestroy(handle);
        return true;
    }
}

internal sealed class SafeListConsumerGroupOffsetsHandle(nint pointer) : SafeAdminArgumentHandle(pointer)
{
    protected override bool ReleaseHandle()
    {
        LibRdKafka.ListConsumerGroupOffsetsDestroy(handle);
        return true;
    }
}

internal sealed class SafeAlterConsumerGroupOffsetsHandle(nint pointer) : SafeAdminArgumentHandle(pointer)
{
    protected override bool ReleaseHandle()
    {
        LibRdKafka.AlterConsumerGroupOffsetsDestroy(handle);
        return true;
    }
}

/// <summary>An rd_kafka_AdminOptions_t: one per request (it carries the request's opaque and timeouts).</summary>
internal sealed class SafeAdminOptionsHandle(SafeKafkaHandle parent, nint options) : SafeKafkaChildHandle(parent, options)
{
    protected override void Destroy(nint child) => LibRdKafka.AdminOptionsDestroy(child);
}

/// <summary>
/// An rd_kafka_event_t taken from a queue: its result objects live until it is destroyed. Holds a reference on the
/// rd_kafka_t, so the client is never destroyed under an event being read.
/// </summary>
internal sealed class SafeEventHandle(SafeKafkaHandle parent, nint ev) : SafeKafkaChildHandle(parent, ev)
{
    protected override void Destroy(nint child) => LibRdKafka.EventDestroy(child);
}

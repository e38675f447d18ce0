using KafkaFast.Native;

namespace KafkaFast.Producer.Engine;

/// <summary>
/// What the engine knows of one topic: its index (stored in records instead of the name), its partitions
/// (<see cref="Layout"/>, null while pending), each client's rd_kafka_topic_t, and the state of the switch from
/// pending to known.
/// </summary>
/// <remarks>
/// Pending: the cluster could not be reached when the topic was resolved. Messages are accepted anyway, all through
/// one client (<see cref="HomeClient"/>), with their partition still to be chosen (<see cref="Unresolved"/>); that
/// client's worker holds them until the layout is known, then partitions them in order.
///
/// The switch, with more than one client. Once the layout is published, writers route each partition to its own
/// client, while the home client may still hold earlier messages of that partition: a later message must not overtake
/// them. So <see cref="HeldForHome"/> is set before the layout is published, and other clients hand nothing of this
/// topic to librdkafka while it is set; the home client clears it once every pinned message (written while pending)
/// is scanned and every one of them for a partition it does not own is reported. Writers and the switch meet in a
/// Dekker handshake: a pending writer increments <see cref="PinnedWriters"/> (a full fence), then reads the layout;
/// the home worker reads the published layout, fences, then reads <see cref="PinnedWriters"/>. Seeing zero there,
/// it knows every later writer sees the layout, so <see cref="PinnedAccepted"/> is final.
/// </remarks>
internal sealed class TopicState
{
    /// <summary>How long keyless messages stick to one partition (sticky.partitioning.linger.ms); 0: a random partition each.</summary>
    private readonly int _stickyMilliseconds;

    private readonly TaskCompletionSource _resolved = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TopicLayout? _layout;
    private int _stickyPartition;
    private long _stickyUntil;

    internal TopicState(string name, int index, int clientCount, SafeTopicHandle[] handles, int stickyMilliseconds)
    {
        _stickyMilliseconds = stickyMilliseconds;
        Name = name;
        Index = index;
        ClientCount = clientCount;
        Handles = handles;
        ClientTopics = handles.Select(h => h.DangerousGetHandle()).ToArray();
    }

    internal string Name { get; }

    internal int Index { get; }

    internal int ClientCount { get; }

    /// <summary>The partitions and their clients, or null while the topic is pending.</summary>
    internal TopicLayout? Layout => Volatile.Read(ref _layout);

    /// <summary>The partition count, or 0 while pending.</summary>
    internal int PartitionCount => Layout?.PartitionCount ?? 0;

    /// <summary>The client that takes every message while the topic is pending.</summary>
    internal int HomeClient => Index % ClientCount;

    /// <summary>Writers between "pending seen" and "record published" (see the remarks).</summary>
    internal int PinnedWriters;

    /// <summary>Messages accepted while pending (pinned to the home client), counted by their writers.</summary>
    internal long PinnedAccepted;

    /// <summary>Set before the first layout is published (more than one client): other clients hand nothing of this topic to librdkafka until the home client has drained what it holds.</summary>
    internal volatile bool HeldForHome;

    /// <summary>Why the cluster refused the topic (authorization, invalid name), once it answered so; its messages fail with it.</summary>
    internal KafkaException? Refusal { get; private set; }

    /// <summary>The last error a metadata request for the topic ended with (for GetTopic's verdict at its deadline).</summary>
    internal KafkaErrorCode LastMetadataError { get; set; } = KafkaErrorCode.TimedOut;

    /// <summary>Metadata thread: when to ask about this topic next (Environment.TickCount64).</summary>
    internal long NextMetadataQuery { get; set; }

    /// <summary>Metadata thread: the current wait between queries while pending (doubles up to 2 s).</summary>
    internal long PendingBackoffMs { get; set; }

    /// <summary>Completes when the layout is first known; faults when the cluster refuses the topic.</summary>
    internal Task Resolved => _resolved.Task;

    /// <summary>rd_kafka_topic_t per client; valid while <see cref="Handles"/> are open (they close when the client's worker stops).</summary>
    internal nint[] ClientTopics { get; }

    internal SafeTopicHandle[] Handles { get; }

    /// <summary>The record partition for a message whose partition is chosen once the layout is known: -1 for any, -2 - p for an explicit p.</summary>
    internal static int Unresolved(int partition) => partition < 0 ? KafkaPartition.Any : -2 - partition;

    /// <summary>The explicit partition an unresolved record asked for, or -1 (any).</summary>
    internal static int RequestedPartition(int unresolved) => unresolved == KafkaPartition.Any ? KafkaPartition.Any : -2 - unresolved;

    /// <summary>Metadata thread: the first layout (the topic is no longer pending), or a bigger one (partitions added).</summary>
    internal void Publish(TopicLayout layout)
    {
        if (Layout is null && ClientCount > 1)
        {
            HeldForHome = true; // before the layout: a writer that sees the layout routes to other clients, which must hold
        }

        Volatile.Write(ref _layout, layout);
        _resolved.TrySetResult();
    }

    /// <summary>Metadata thread: the cluster refused the topic; waiters of <see cref="Resolved"/> get the exception.</summary>
    internal void Refuse(KafkaException refusal)
    {
        Refusal = refusal;
        _resolved.TrySetException(refusal);
        _ = _resolved.Task.Exception; // observed: nobody may be waiting
    }

    /// <summary>Closing: nobody waits for this topic's metadata any more.</summary>
    internal void Abandon(Exception reason)
    {
        _resolved.TrySetException(reason);
        _ = _resolved.Task.Exception; // observed: nobody may be waiting
    }

    /// <summary>A partition for a keyless message: one random partition per sticky period, so batches fill up.</summary>
    internal int StickyPartition(int partitionCount)
    {
        if (_stickyMilliseconds == 0)
        {
            return Random.Shared.Next(partitionCount); // stickiness off, as librdkafka with sticky.partitioning.linger.ms=0
        }

        long now = Environment.TickCount64;
        int partition = Volatile.Read(ref _stickyPartition);
        if (now < Volatile.Read(ref _stickyUntil) && partition < partitionCount)
        {
            return partition;
        }

        // Racing threads may each pick one; any of them is a valid random choice.
        partition = Random.Shared.Next(partitionCount);
        Volatile.Write(ref _stickyPartition, partition);
        Volatile.Write(ref _stickyUntil, now + _stickyMilliseconds);
        return partition;
    }
}

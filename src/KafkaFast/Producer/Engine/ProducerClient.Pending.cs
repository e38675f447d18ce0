using System.Diagnostics;
using KafkaFast.Buffers;

namespace KafkaFast.Producer.Engine;

/// <summary>
/// Worker side of pending topics (partitions not known yet): records written while a topic was pending carry no
/// partition (<see cref="TopicState.Unresolved"/>) and all land in its home client. They wait here, in order, until
/// the layout is published, then each gets its partition (the partitioner's choice, or the one it asked for, checked
/// now) and joins its gate. They fail with a reason if the message timeout passes first or the cluster refuses the
/// topic. The home worker also ends the switch (see <see cref="TopicState"/>): once every pinned record is scanned
/// and those of partitions it does not own are reported, other clients may hand the topic's records over.
/// </summary>
internal sealed unsafe partial class ProducerClient
{
    /// <summary>Pending topics this worker holds records for, or still has a switch to finish for.</summary>
    private readonly List<PendingTopic> _pending = [];

    private sealed class PendingTopic(TopicState topic)
    {
        internal TopicState Topic { get; } = topic;

        /// <summary>Unresolved records, in scan order, with when they were scanned.</summary>
        internal Queue<(nint Record, long Arrival)> Waiting { get; } = new();

        /// <summary>Unresolved records this worker has scanned (compared with <see cref="TopicState.PinnedAccepted"/>).</summary>
        internal long Scanned;
    }

    private void AdmitUnresolved(MessageRecord* record, long now)
    {
        TopicState topic = _engine.TopicAt(record->TopicIndex);
        PendingTopic pending = PendingOf(topic);
        pending.Scanned++;
        if (pending.Waiting.Count == 0 && topic.Layout is { } layout)
        {
            Resolve(record, topic, layout, now);
        }
        else
        {
            pending.Waiting.Enqueue(((nint)record, now));
        }
    }

    /// <summary>
    /// A record of a known partition was scanned: the topic's layout is published (its writer saw it), so records
    /// written before it while the topic was pending are partitioned now, ahead of it.
    /// </summary>
    private void ResolveWaiting(int topicIndex, long now)
    {
        foreach (PendingTopic pending in _pending)
        {
            if (pending.Topic.Index == topicIndex && pending.Waiting.Count > 0 && pending.Topic.Layout is { } layout)
            {
                while (pending.Waiting.TryDequeue(out var waiting))
                {
                    Resolve((MessageRecord*)waiting.Record, pending.Topic, layout, waiting.Arrival);
                }
            }
        }
    }

    private PendingTopic PendingOf(TopicState topic)
    {
        foreach (PendingTopic p in _pending)
        {
            if (p.Topic == topic)
            {
                return p;
            }
        }

        var pending = new PendingTopic(topic);
        _pending.Add(pending);
        return pending;
    }

    /// <summary>Gives a record its partition now that the topic's are known, and admits it to that partition's gate.</summary>
    private void Resolve(MessageRecord* record, TopicState topic, TopicLayout layout, long now)
    {
        int requested = TopicState.RequestedPartition(record->Partition);
        int partition;
        if (requested == KafkaPartition.Any)
        {
            partition = _engine.PartitionFor(topic, layout, new ReadOnlySpan<byte>(record + 1, record->KeyLength), record->IsKeyNull);
        }
        else if (requested < layout.PartitionCount)
        {
            partition = requested;
        }
        else
        {
            record->Partition = requested;
            FailRecord(record, (int)KafkaErrorCode.UnknownPartition,
                $"topic '{topic.Name}' has partitions 0..{layout.PartitionCount - 1}, not {requested} (the partition was checked when the topic's metadata arrived: the cluster was unreachable when it was accepted)",
                PersistenceStatus.NotPersisted, requested);
            return;
        }

        record->Partition = partition;
        Join(record, now);
    }

    /// <summary>Each pass: partitions, fails or keeps the records of pending topics; finishes switches.</summary>
    private void ServePending(long now)
    {
        if (_engine.HeldTopicCount > 0)
        {
            foreach (TopicState topic in _engine.HeldTopics())
            {
                if (topic.HomeClient == Index)
                {
                    _ = PendingOf(topic); // a switch to finish, even if nothing was written while it was pending
                }
            }
        }

        if (_pending.Count == 0)
        {
            return;
        }

        long timeout = _policy.MessageTimeoutTicks;
        for (int i = _pending.Count - 1; i >= 0; i--)
        {
            PendingTopic pending = _pending[i];
            TopicState topic = pending.Topic;
            if (topic.Refusal is { } refusal)
            {
                FailAll(pending, (int)refusal.Code, refusal.Message);
            }
            else if (topic.Layout is not null)
            {
                ResolveWaiting(topic.Index, now);
            }
            else
            {
                while (pending.Waiting.TryPeek(out var oldest) && now - oldest.Arrival > timeout)
                {
                    pending.Waiting.Dequeue();
                    var record = (MessageRecord*)oldest.Record;
                    FailRecord(record, (int)KafkaErrorCode.MessageTimedOut,
                        $"no metadata for topic '{topic.Name}' within message.timeout.ms ({_policy.MessageTimeoutMs} ms): the cluster did not answer",
                        PersistenceStatus.NotPersisted, TopicState.RequestedPartition(record->Partition));
                }
            }

            if (topic.Layout is not null && pending.Waiting.Count == 0 && !TryFinishSwitch(pending))
            {
                continue; // the home client still holds records other clients must not overtake
            }

            if (topic.Layout is not null || topic.Refusal is not null)
            {
                if (pending.Waiting.Count == 0)
                {
                    _pending.RemoveAt(i);
                }
            }
        }

        DispatchCompletions();
    }

    /// <summary>
    /// Home worker, layout published: true once other clients may hand the topic over (or it was never held). The
    /// writers' count is read after a fence (Dekker, see <see cref="TopicState"/>): at zero, no pinned record can
    /// appear any more, so the accepted count is final.
    /// </summary>
    private bool TryFinishSwitch(PendingTopic pending)
    {
        TopicState topic = pending.Topic;
        if (!topic.HeldForHome || topic.HomeClient != Index)
        {
            return true;
        }

        Interlocked.MemoryBarrier();
        if (Volatile.Read(ref topic.PinnedWriters) != 0 || pending.Scanned != Interlocked.Read(ref topic.PinnedAccepted))
        {
            return false; // pinned records still being written, or not scanned yet
        }

        TopicLayout layout = topic.Layout!;
        PartitionGate?[]? gates = topic.Index < _gates.Length ? _gates[topic.Index] : null;
        for (int p = 0; gates is not null && p < gates.Length; p++)
        {
            if (gates[p] is { } gate && p < layout.PartitionCount && layout.ClientOfPartition[p] != Index && (gate.Waiting > 0 || gate.InFlight > 0))
            {
                return false; // partition p belongs to another client: its earlier records are still ours
            }
        }

        _engine.ReleaseHold(topic);
        return true;
    }

    private void FailAll(PendingTopic pending, int error, string reason)
    {
        while (pending.Waiting.TryDequeue(out var waiting))
        {
            var record = (MessageRecord*)waiting.Record;
            FailRecord(record, error, reason, PersistenceStatus.NotPersisted, TopicState.RequestedPartition(record->Partition));
        }
    }

    /// <summary>Close deadline passed: fails the records still waiting for a topic's metadata.</summary>
    private bool FailPending(int error, string reason)
    {
        bool any = false;
        foreach (PendingTopic pending in _pending)
        {
            any |= pending.Waiting.Count > 0;
            FailAll(pending, error, reason);
        }

        return any;
    }
}

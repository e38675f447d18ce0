using System.Buffers;
using KafkaFast.Buffers;

namespace KafkaFast.Producer.Engine;

/// <summary>
/// The request path for a topic whose partitions are not known yet (pending: the cluster was unreachable when it
/// was resolved). Every message goes to the topic's home client with its partition still to be chosen; the home
/// worker partitions them, in order, once the metadata arrives. Cold: taken only while a topic is pending. See
/// <see cref="TopicState"/> for the handshake with the switch to known partitions.
/// </summary>
internal sealed unsafe partial class ProducerEngine
{
    private bool TryWritePending(TopicState topic, ReadOnlySpan<byte> key, ValueSource value, ReadOnlySpan<KafkaHeader> headers, int partition, long timestampMs,
        int completionId, ushort flags, long size, int valueLength, long headersFramed)
    {
        ValidatePartition(topic, null, partition, -1);
        Interlocked.Increment(ref topic.PinnedWriters); // full fence: then the layout is read (Dekker with the switch)
        try
        {
            if (topic.Layout is not null)
            {
                return TryWrite(topic, key, value, headers, partition, timestampMs, completionId, flags); // known meanwhile
            }

            return TryWritePinned(topic, key, value, headers, partition, timestampMs, completionId, flags, size, valueLength, headersFramed);
        }
        finally
        {
            Interlocked.Decrement(ref topic.PinnedWriters);
        }
    }

    /// <summary>
    /// Pending topic, batch: validated whole by the caller (against no layout). Every message is written, in order,
    /// to the home client; if the layout arrived meanwhile, nothing was written yet and the known path takes the
    /// whole batch (it validates again: a partition the topic turns out not to have throws with nothing accepted).
    /// </summary>
    private int TryWriteBatchPending(TopicState topic, ReadOnlySpan<ProducerMessage> messages)
    {
        Interlocked.Increment(ref topic.PinnedWriters);
        try
        {
            if (topic.Layout is not null)
            {
                return TryWriteBatch(topic, messages);
            }

            for (int i = 0; i < messages.Length; i++)
            {
                ref readonly ProducerMessage m = ref messages[i];
                ushort flags = FlagsOf(in m, i);
                (long framed, long wire) = m.Headers.IsEmpty ? (0, 0) : RecordHeaders.Measure(m.Headers.Span, i);
                long size = CheckSize(m.Key.Length, m.Value.Length, framed, wire, m.Headers.Length, i); // validated: cannot throw
                if (!TryWritePinned(topic, m.Key.Span, new ValueSource(m.Value.Span), m.Headers.Span, m.Partition, TimestampOf(m.Timestamp, i), 0, flags, size,
                    m.Value.Length, framed))
                {
                    return i; // budget full: the prefix before this message is accepted
                }
            }

            return messages.Length;
        }
        finally
        {
            Interlocked.Decrement(ref topic.PinnedWriters);
        }
    }

    /// <summary>Writes one record to the pending topic's home client, its partition still to be chosen. Caller holds a <see cref="TopicState.PinnedWriters"/> count.</summary>
    private bool TryWritePinned(TopicState topic, ReadOnlySpan<byte> key, ValueSource value, ReadOnlySpan<KafkaHeader> headers, int partition, long timestampMs,
        int completionId, ushort flags, long size, int valueLength, long headersFramed)
    {
        ProducerClient client = _clients[topic.HomeClient];
        if (!client.TryReserve(size, out Slab slab, out long offset))
        {
            return false;
        }

        MessageRecord* record = slab.RecordAt(offset);
        WriteRecord(record, slab, size, topic, TopicState.Unresolved(partition), key, value, valueLength, headers, headersFramed, timestampMs, completionId, flags);
        Interlocked.Increment(ref topic.PinnedAccepted);
        client.Publish(record, 1);
        return true;
    }

    private bool TryWriteSerializedPending<TState>(TopicState topic, ReadOnlySpan<byte> key, ReadOnlySpan<KafkaHeader> headers, int partition, long timestampMs,
        TState state, Action<IBufferWriter<byte>, TState> write, bool writerStaysInBounds, ushort flags, long headersFramed, int valueLimit, int reservation, long size)
    {
        ValidatePartition(topic, null, partition, -1);
        Interlocked.Increment(ref topic.PinnedWriters);
        try
        {
            if (topic.Layout is { } layout)
            {
                int chosen = ChoosePartition(topic, layout, key, (flags & MessageRecord.FlagKeyNull) != 0, partition);
                return WriteSerialized(topic, _clients[layout.ClientOfPartition[chosen]], chosen, partition, pinned: false, key, headers, timestampMs, state, write,
                    writerStaysInBounds, flags, headersFramed, valueLimit, reservation, size);
            }

            return WriteSerialized(topic, _clients[topic.HomeClient], TopicState.Unresolved(partition), partition, pinned: true, key, headers, timestampMs, state, write,
                writerStaysInBounds, flags, headersFramed, valueLimit, reservation, size);
        }
        finally
        {
            Interlocked.Decrement(ref topic.PinnedWriters);
        }
    }
}

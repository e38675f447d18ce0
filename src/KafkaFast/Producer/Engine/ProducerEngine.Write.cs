using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text;
using KafkaFast.Buffers;
using KafkaFast.Producer.Partitioning;

namespace KafkaFast.Producer.Engine;

/// <summary>
/// The request path: validate, choose the partition (and so the client), reserve slab space, copy the message in
/// once, publish. No lock, no syscall, no P/Invoke, no allocation.
/// </summary>
internal sealed unsafe partial class ProducerEngine
{
    [ThreadStatic]
    private static BatchScratch? t_batchScratch;

    /// <summary>Space reserved for a serialize-in-place value when the caller gives no hint (Utf8JsonWriter asks for 4 KiB at once).</summary>
    private const int DefaultSerializeReservation = 4096 + 512;

    /// <summary>
    /// Writes one message. False when the budget is full (the caller counts that rejection: it may wait and retry)
    /// or the producer failed fatally (counted here); throws for bad input.
    /// </summary>
    internal bool TryWrite(TopicState topic, ReadOnlySpan<byte> key, ValueSource value, ReadOnlySpan<KafkaHeader> headers, int partition, long timestampMs, int completionId)
    {
        if (IsClosing)
        {
            ThrowClosed();
        }

        if (IsFatal)
        {
            CountRejected(ProduceRejectReason.Fatal);
            return false;
        }

        (long headersFramed, long headersPayload) = headers.IsEmpty ? (0, 0) : RecordHeaders.Measure(headers);
        int valueLength = value.ByteCount;
        long size = CheckSize(key.Length, valueLength, headersFramed, headersPayload, headers.Length);
        partition = ChoosePartition(topic, key, partition);
        ProducerClient client = _clients[topic.ClientOfPartition[partition]];
        if (!client.TryReserve(size, out Slab slab, out long offset))
        {
            return false;
        }

        MessageRecord* record = slab.RecordAt(offset);
        WriteRecord(record, slab, size, topic, partition, key, value, valueLength, headers, headersFramed, timestampMs, completionId);
        client.Publish(record, 1);
        return true;
    }

    /// <summary>
    /// Writes a prefix of <paramref name="messages"/> (a short prefix means the budget filled; the caller counts it): consecutive messages for the same client share one
    /// reservation and one publish. All messages are validated before any is written. Returns how many were accepted.
    /// </summary>
    internal int TryWriteBatch(TopicState topic, ReadOnlySpan<ProducerMessage> messages)
    {
        if (IsClosing)
        {
            ThrowClosed();
        }

        if (IsFatal)
        {
            CountRejected(ProduceRejectReason.Fatal);
            return 0;
        }

        // Per-thread scratch rather than stackalloc: a method with stackalloc and loops gets no tiered PGO.
        BatchScratch scratch = t_batchScratch ??= new BatchScratch();
        const int Chunk = BatchScratch.Capacity;
        Span<int> partitions = scratch.Partitions;
        Span<long> sizes = scratch.Sizes;
        Span<long> framedHeaders = scratch.FramedHeaders;
        Span<long> timestamps = scratch.Timestamps;
        int accepted = 0;
        while (accepted < messages.Length)
        {
            ReadOnlySpan<ProducerMessage> chunk = messages.Slice(accepted, Math.Min(Chunk, messages.Length - accepted));
            for (int i = 0; i < chunk.Length; i++)
            {
                ref readonly ProducerMessage m = ref chunk[i];
                (long framed, long payload) = m.Headers.IsEmpty ? (0, 0) : RecordHeaders.Measure(m.Headers.Span);
                framedHeaders[i] = framed;
                timestamps[i] = TimestampOf(m.Timestamp);
                sizes[i] = CheckSize(m.Key.Length, m.Value.Length, framed, payload, m.Headers.Length, accepted + i);
                partitions[i] = ChoosePartition(topic, m.Key.Span, m.Partition, accepted + i);
            }

            int run = 0;
            while (run < chunk.Length)
            {
                int clientIndex = topic.ClientOfPartition[partitions[run]];
                long total = sizes[run];
                int end = run + 1;
                while (end < chunk.Length && topic.ClientOfPartition[partitions[end]] == clientIndex && total + sizes[end] <= Arena.SlabSize / 4)
                {
                    total += sizes[end++];
                }

                ProducerClient client = _clients[clientIndex];
                bool reserved = client.TryReserve(total, out Slab slab, out long offset);
                if (!reserved && end - run > 1)
                {
                    // The budget cannot take the whole run: take its first message alone, if it fits.
                    end = run + 1;
                    reserved = client.TryReserve(sizes[run], out slab, out offset);
                }

                if (!reserved)
                {
                    return accepted + run; // budget full: the prefix before this message is accepted
                }

                long position = offset;
                for (int i = run; i < end; i++)
                {
                    ref readonly ProducerMessage m = ref chunk[i];
                    WriteRecord(slab.RecordAt(position), slab, sizes[i], topic, partitions[i], m.Key.Span, new ValueSource(m.Value.Span), m.Value.Length, m.Headers.Span, framedHeaders[i], timestamps[i], 0);
                    position += sizes[i];
                }

                // All records are written: count them, then publish them in order (the last through Publish, which
                // fences and wakes a sleeping worker).
                client.AddAccepted(end - run);
                position = offset;
                for (int i = run; i < end - 1; i++)
                {
                    Volatile.Write(ref slab.RecordAt(position)->State, MessageRecord.StateCommitted);
                    position += sizes[i];
                }

                client.Publish(slab.RecordAt(position), 0);
                run = end;
            }

            accepted += chunk.Length;
        }

        return accepted;
    }

    /// <summary>Serialize-in-place: the value is written by <paramref name="write"/> directly into the slab.</summary>
    internal bool TryWriteSerialized<TState>(TopicState topic, ReadOnlySpan<byte> key, ReadOnlySpan<KafkaHeader> headers, int partition, long timestampMs, int sizeHint,
        TState state, Action<IBufferWriter<byte>, TState> write, bool writerStaysInBounds)
    {
        if (IsClosing)
        {
            ThrowClosed();
        }

        if (IsFatal)
        {
            CountRejected(ProduceRejectReason.Fatal);
            return false;
        }

        (long headersFramed, long headersPayload) = headers.IsEmpty ? (0, 0) : RecordHeaders.Measure(headers);
        int valueLimit = (int)Math.Max(-1, MessageMaxBytes - key.Length - headersPayload);
        if (valueLimit < 0)
        {
            CountRejected(ProduceRejectReason.MessageTooLarge);
            throw new ArgumentException($"The key and headers are {key.Length + headersPayload} bytes; message.max.bytes is {MessageMaxBytes}.", nameof(key));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(sizeHint);
        int reservation = Math.Min(sizeHint > 0 ? sizeHint : DefaultSerializeReservation, valueLimit);
        long size = MessageRecord.SizeFor(key.Length, reservation, headersFramed, headers.Length);
        partition = ChoosePartition(topic, key, partition);
        ProducerClient client = _clients[topic.ClientOfPartition[partition]];
        if (!client.TryReserve(size, out Slab slab, out long offset))
        {
            return false;
        }

        MessageRecord* record = slab.RecordAt(offset);
        byte* keyStart = (byte*)(record + 1);
        key.CopyTo(new Span<byte>(keyStart, key.Length));
        SlabValueWriter writer = SlabValueWriter.ForCurrentThread();
        writer.Reset(keyStart + key.Length, reservation, valueLimit);
        try
        {
            write(writer, state);
        }
        catch (ArgumentException) when (writer.ExceededLimit)
        {
            writer.ReturnOverflow();
            AbandonRecord(record, size);
            CountRejected(ProduceRejectReason.MessageTooLarge);
            throw;
        }
        catch
        {
            writer.ReturnOverflow();
            AbandonRecord(record, size);
            throw;
        }

        if (writer.Overflowed)
        {
            // The value outgrew the reservation: void it and write the value again at its real size.
            AbandonRecord(record, size);
            try
            {
                return TryWrite(topic, key, new ValueSource(writer.OverflowValue), headers, partition, timestampMs, 0);
            }
            finally
            {
                writer.ReturnOverflow();
            }
        }

        int valueLength = writer.Written;
        long needed = MessageRecord.SizeFor(key.Length, valueLength, headersFramed, headers.Length);
        if (!headers.IsEmpty)
        {
            // Headers follow the value, now that its length is known (the reservation counted them).
            RecordHeaders.Write(headers, keyStart + key.Length + valueLength);
        }

        if (needed < size)
        {
            // Bytes past the value that the serializer may have touched must be zero before others can reserve them
            // (the worker reads a record's State there). Utf8JsonWriter writes only what it advances.
            long valueEnd = MessageRecord.Size + key.Length + valueLength + headersFramed;
            long touched = writerStaysInBounds ? valueEnd : MessageRecord.Size + key.Length + writer.Extent;
            if (touched > needed)
            {
                new Span<byte>((byte*)record + needed, (int)(touched - needed)).Clear();
            }

            if (!ProducerClient.TryShrink(slab, offset, size, needed))
            {
                needed = size; // somebody reserved after us: keep the rest as padding
            }
        }

        record->TotalSize = (int)needed;
        record->Partition = partition;
        record->KeyLength = key.Length;
        record->ValueLength = valueLength;
        record->HeadersLength = (int)headersFramed;
        record->HeaderCount = headers.Length;
        record->TopicIndex = topic.Index;
        record->CompletionId = 0;
        record->Timestamp = timestampMs;
        record->SlabIndex = slab.Index;
        client.Publish(record, 1);
        return true;
    }

    private static void AbandonRecord(MessageRecord* record, long size)
    {
        record->TotalSize = (int)size;
        ProducerClient.Abandon(record);
    }

    internal static long TimestampOf(DateTimeOffset? timestamp)
    {
        if (timestamp is not { } t)
        {
            return 0;
        }

        long ms = t.ToUnixTimeMilliseconds();
        if (ms <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(timestamp), t, "Timestamps must be after 1970-01-01T00:00:00Z.");
        }

        return ms;
    }

    private long CheckSize(int keyLength, int valueLength, long headersFramed, long headersPayload, int headerCount, int index = -1)
    {
        long payload = (long)keyLength + valueLength + headersPayload;
        long size = MessageRecord.SizeFor(keyLength, valueLength, headersFramed, headerCount);
        if (payload > MessageMaxBytes || size > Arena.SlabSize)
        {
            CountRejected(ProduceRejectReason.MessageTooLarge);
            string which = index >= 0 ? $"Message {index} of the batch" : "The message";
            throw new ArgumentException($"{which} is {payload} bytes (key + value + headers); message.max.bytes is {MessageMaxBytes}.", index >= 0 ? "messages" : "value");
        }

        return size;
    }

    private int ChoosePartition(TopicState topic, ReadOnlySpan<byte> key, int partition, int index = -1)
    {
        if (partition >= 0)
        {
            if (partition >= topic.PartitionCount)
            {
                ThrowInvalidPartition(topic, partition, index);
            }

            return partition;
        }

        if (partition != KafkaPartition.Any)
        {
            ThrowInvalidPartition(topic, partition, index);
        }

        int chosen = KeyPartitioner.ForKey(Partitioner, key, topic.PartitionCount);
        return chosen >= 0 ? chosen : Partitioner == PartitionerType.Random && !key.IsEmpty ? Random.Shared.Next(topic.PartitionCount) : topic.StickyPartition();
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowInvalidPartition(TopicState topic, int partition, int index)
    {
        CountRejected(ProduceRejectReason.InvalidPartition);
        string which = index >= 0 ? $" (message {index} of the batch)" : string.Empty;
        throw new ArgumentOutOfRangeException(nameof(partition), partition,
            $"Topic '{topic.Name}' has partitions 0..{topic.PartitionCount - 1}; use KafkaPartition.Any to let the partitioner choose{which}.");
    }

    private static void WriteRecord(MessageRecord* record, Slab slab, long size, TopicState topic, int partition, ReadOnlySpan<byte> key,
        ValueSource value, int valueLength, ReadOnlySpan<KafkaHeader> headers, long headersFramed, long timestampMs, int completionId)
    {
        record->TotalSize = (int)size;
        record->Partition = partition;
        record->KeyLength = key.Length;
        record->ValueLength = valueLength;
        record->HeadersLength = (int)headersFramed;
        record->HeaderCount = headers.Length;
        record->TopicIndex = topic.Index;
        record->CompletionId = completionId;
        record->Timestamp = timestampMs;
        record->SlabIndex = slab.Index;
        byte* data = (byte*)(record + 1);
        key.CopyTo(new Span<byte>(data, key.Length));
        value.CopyTo(new Span<byte>(data + key.Length, valueLength));
        if (!headers.IsEmpty)
        {
            RecordHeaders.Write(headers, data + key.Length + valueLength);
        }
    }

    /// <summary>What the batch call works out per message before writing (one chunk at a time).</summary>
    private sealed class BatchScratch
    {
        internal const int Capacity = 256;
        internal readonly int[] Partitions = new int[Capacity];
        internal readonly long[] Sizes = new long[Capacity];
        internal readonly long[] FramedHeaders = new long[Capacity];
        internal readonly long[] Timestamps = new long[Capacity];
    }
}

using System.Buffers;
using System.Runtime.CompilerServices;
using KafkaFast.Buffers;
using KafkaFast.Producer.Partitioning;

namespace KafkaFast.Producer.Engine;

/// <summary>
/// The request path: validate, choose the partition (and so the client), reserve slab space, copy the message in
/// once, publish. No lock, no syscall, no P/Invoke, no allocation.
/// </summary>
/// <remarks>
/// What is checked before anything is accepted: the size as librdkafka counts it against message.max.bytes
/// (<see cref="MessageRecord.LibrdkafkaSize"/>: a message that passes is never refused by librdkafka for its size),
/// the partition, the timestamp, the headers, and that a null key or value (<see cref="MessageRecord.Flags"/>) has
/// no bytes. A batch is checked whole before its first message is accepted.
/// </remarks>
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
    internal bool TryWrite(TopicState topic, ReadOnlySpan<byte> key, ValueSource value, ReadOnlySpan<KafkaHeader> headers, int partition, long timestampMs, int completionId, ushort flags = 0)
    {
        if (IsFatal)
        {
            CountRejected(ProduceRejectReason.Fatal); // before the closed check: a crashed worker may have closed the engine
            return false;
        }

        if (IsClosing)
        {
            ThrowClosed();
        }

        (long headersFramed, long headersWire) = headers.IsEmpty ? (0, 0) : RecordHeaders.Measure(headers);
        int valueLength = value.ByteCount;
        long size = CheckSize(key.Length, valueLength, headersFramed, headersWire, headers.Length);
        TopicLayout? layout = topic.Layout;
        if (layout is null)
        {
            return TryWritePending(topic, key, value, headers, partition, timestampMs, completionId, flags, size, valueLength, headersFramed);
        }

        partition = ChoosePartition(topic, layout, key, (flags & MessageRecord.FlagKeyNull) != 0, partition);
        ProducerClient client = _clients[layout.ClientOfPartition[partition]];
        if (!client.TryReserve(size, out Slab slab, out long offset))
        {
            return false;
        }

        MessageRecord* record = slab.RecordAt(offset);
        WriteRecord(record, slab, size, topic, partition, key, value, valueLength, headers, headersFramed, timestampMs, completionId, flags);
        client.Publish(record, 1);
        return true;
    }

    /// <summary>
    /// Writes a prefix of <paramref name="messages"/> (a short prefix means the budget filled; the caller counts it):
    /// consecutive messages for the same client share one reservation and one publish. Every message of the batch is
    /// validated before the first is written, so bad input throws with nothing accepted. Returns how many were accepted.
    /// </summary>
    internal int TryWriteBatch(TopicState topic, ReadOnlySpan<ProducerMessage> messages)
    {
        if (IsFatal)
        {
            CountRejected(ProduceRejectReason.Fatal); // before the closed check: a crashed worker may have closed the engine
            return 0;
        }

        if (IsClosing)
        {
            ThrowClosed();
        }

        // Per-thread scratch rather than stackalloc: a method with stackalloc and loops gets no tiered PGO. It grows
        // (once per thread) up to BatchScratch.MaxCapacity; a longer batch is written in chunks of that many,
        // after the whole batch was validated.
        BatchScratch scratch = t_batchScratch ??= new BatchScratch();
        int chunk = scratch.EnsureCapacity(messages.Length);

        // 1. Validate everything: a bad message anywhere throws before anything is accepted. One layout for the
        // whole call: partitions are checked and chosen against the same one.
        TopicLayout? layout = topic.Layout;
        for (int i = 0; i < messages.Length; i++)
        {
            PrepareBatchMessage(scratch, i < chunk ? i : -1, topic, layout, in messages[i], i);
        }

        if (layout is null)
        {
            return TryWriteBatchPending(topic, messages);
        }

        // 2. Write, chunk by chunk (one chunk unless the batch is longer than the scratch).
        int accepted = 0;
        while (accepted < messages.Length)
        {
            int count = Math.Min(chunk, messages.Length - accepted);
            ReadOnlySpan<ProducerMessage> part = messages.Slice(accepted, count);
            if (accepted > 0)
            {
                for (int i = 0; i < count; i++)
                {
                    PrepareBatchMessage(scratch, i, topic, layout, in part[i], accepted + i); // validated above: cannot throw
                }
            }

            int written = WriteBatchChunk(scratch, topic, layout, part);
            accepted += written;
            if (written < count)
            {
                break; // budget full: the prefix before this message is accepted
            }
        }

        return accepted;
    }

    /// <summary>Checks one batch message and, when <paramref name="slot"/> >= 0, keeps what the write needs in the scratch.</summary>
    private void PrepareBatchMessage(BatchScratch scratch, int slot, TopicState topic, TopicLayout? layout, in ProducerMessage m, int index)
    {
        ushort flags = FlagsOf(in m, index);
        (long framed, long wire) = m.Headers.IsEmpty ? (0, 0) : RecordHeaders.Measure(m.Headers.Span, index);
        long timestamp = TimestampOf(m.Timestamp, index);
        long size = CheckSize(m.Key.Length, m.Value.Length, framed, wire, m.Headers.Length, index);
        ValidatePartition(topic, layout, m.Partition, index);
        if (slot >= 0)
        {
            scratch.Sizes[slot] = size;
            scratch.FramedHeaders[slot] = framed;
            scratch.Timestamps[slot] = timestamp;
            scratch.Flags[slot] = flags;
        }
    }

    /// <summary>Writes validated messages whose sizes are in the scratch; returns how many were accepted (fewer when the budget filled).</summary>
    private int WriteBatchChunk(BatchScratch scratch, TopicState topic, TopicLayout layout, ReadOnlySpan<ProducerMessage> chunk)
    {
        int[] partitions = scratch.Partitions;
        long[] sizes = scratch.Sizes;
        for (int i = 0; i < chunk.Length; i++)
        {
            ref readonly ProducerMessage m = ref chunk[i];
            partitions[i] = ChoosePartition(topic, layout, m.Key.Span, (scratch.Flags[i] & MessageRecord.FlagKeyNull) != 0, m.Partition);
        }

        int run = 0;
        while (run < chunk.Length)
        {
            int clientIndex = layout.ClientOfPartition[partitions[run]];
            long total = sizes[run];
            int end = run + 1;
            while (end < chunk.Length && layout.ClientOfPartition[partitions[end]] == clientIndex && total + sizes[end] <= Arena.SlabSize / 4)
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
                return run;
            }

            long position = offset;
            for (int i = run; i < end; i++)
            {
                ref readonly ProducerMessage m = ref chunk[i];
                WriteRecord(slab.RecordAt(position), slab, sizes[i], topic, partitions[i], m.Key.Span, new ValueSource(m.Value.Span), m.Value.Length,
                    m.Headers.Span, scratch.FramedHeaders[i], scratch.Timestamps[i], 0, scratch.Flags[i]);
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

        return chunk.Length;
    }

    /// <summary>Serialize-in-place: the value is written by <paramref name="write"/> directly into the slab.</summary>
    internal bool TryWriteSerialized<TState>(TopicState topic, ReadOnlySpan<byte> key, ReadOnlySpan<KafkaHeader> headers, int partition, long timestampMs, int sizeHint,
        TState state, Action<IBufferWriter<byte>, TState> write, bool writerStaysInBounds, ushort flags = 0)
    {
        if (IsFatal)
        {
            CountRejected(ProduceRejectReason.Fatal); // before the closed check: a crashed worker may have closed the engine
            return false;
        }

        if (IsClosing)
        {
            ThrowClosed();
        }

        ArgumentOutOfRangeException.ThrowIfNegative(sizeHint);
        (long headersFramed, long headersWire) = headers.IsEmpty ? (0, 0) : RecordHeaders.Measure(headers);
        long emptyValueSize = CheckSize(key.Length, 0, headersFramed, headersWire, headers.Length); // key and headers alone must fit
        int valueLimit = (int)(MessageMaxBytes - MessageRecord.LibrdkafkaSize(key.Length, 0, headersWire));
        int slabRoom = (int)Math.Min(int.MaxValue, Arena.SlabSize - emptyValueSize - 8);
        int reservation = Math.Min(Math.Min(sizeHint > 0 ? sizeHint : DefaultSerializeReservation, valueLimit), slabRoom);
        long size = MessageRecord.SizeFor(key.Length, reservation, headersFramed, headers.Length);
        TopicLayout? layout = topic.Layout;
        if (layout is null)
        {
            return TryWriteSerializedPending(topic, key, headers, partition, timestampMs, state, write, writerStaysInBounds, flags, headersFramed, valueLimit, reservation, size);
        }

        int chosen = ChoosePartition(topic, layout, key, (flags & MessageRecord.FlagKeyNull) != 0, partition);
        return WriteSerialized(topic, _clients[layout.ClientOfPartition[chosen]], chosen, partition, pinned: false, key, headers, timestampMs, state, write,
            writerStaysInBounds, flags, headersFramed, valueLimit, reservation, size);
    }

    /// <summary>
    /// The rest of <see cref="TryWriteSerialized"/>, once the client and the record's partition are chosen (a pending
    /// topic's record: its home client and <see cref="TopicState.Unresolved"/>). <paramref name="requested"/> is what
    /// a retry at the value's real size asks for; <paramref name="pinned"/>: the record counts in
    /// <see cref="TopicState.PinnedAccepted"/>.
    /// </summary>
    private bool WriteSerialized<TState>(TopicState topic, ProducerClient client, int partition, int requested, bool pinned, ReadOnlySpan<byte> key,
        ReadOnlySpan<KafkaHeader> headers, long timestampMs, TState state, Action<IBufferWriter<byte>, TState> write, bool writerStaysInBounds, ushort flags,
        long headersFramed, int valueLimit, int reservation, long size)
    {
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
                return TryWrite(topic, key, new ValueSource(writer.OverflowValue), headers, requested, timestampMs, 0, flags);
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

        WriteHeader(record, slab, needed, topic, partition, key.Length, valueLength, headersFramed, headers.Length, timestampMs, 0, flags);
        if (pinned)
        {
            Interlocked.Increment(ref topic.PinnedAccepted);
        }

        client.Publish(record, 1);
        return true;
    }

    private static void AbandonRecord(MessageRecord* record, long size)
    {
        record->TotalSize = (int)size;
        ProducerClient.Abandon(record);
    }

    internal static long TimestampOf(DateTimeOffset? timestamp, int index = -1)
    {
        if (timestamp is not { } t)
        {
            return 0;
        }

        long ms = t.ToUnixTimeMilliseconds();
        if (ms <= 0)
        {
            string which = index >= 0 ? $" (message {index} of the batch)" : string.Empty;
            throw new ArgumentOutOfRangeException(nameof(timestamp), t, $"Timestamps must be after 1970-01-01T00:00:00Z{which}.");
        }

        return ms;
    }

    /// <summary>The record flags of a <see cref="ProducerMessage"/>; throws when a null key or value has bytes.</summary>
    internal static ushort FlagsOf(in ProducerMessage message, int index = -1)
    {
        ushort flags = 0;
        if (message.IsKeyNull)
        {
            if (!message.Key.IsEmpty)
            {
                ThrowNullWithBytes("key", "IsKeyNull", message.Key.Length, index);
            }

            flags |= MessageRecord.FlagKeyNull;
        }

        if (message.IsValueNull)
        {
            if (!message.Value.IsEmpty)
            {
                ThrowNullWithBytes("value", "IsValueNull", message.Value.Length, index);
            }

            flags |= MessageRecord.FlagValueNull;
        }

        return flags;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowNullWithBytes(string what, string property, int length, int index) =>
        throw new ArgumentException(
            $"{(index >= 0 ? $"Message {index} of the batch" : "The message")} has {property} = true but its {what} has {length} bytes: a null {what} has no bytes.");

    /// <summary>
    /// The budget a message takes; throws when librdkafka would refuse it for its size (key + value + headers as
    /// serialized + record framing, compared with message.max.bytes) or when it cannot fit in a slab.
    /// </summary>
    private long CheckSize(int keyLength, int valueLength, long headersFramed, long headersWire, int headerCount, int index = -1)
    {
        long counted = MessageRecord.LibrdkafkaSize(keyLength, valueLength, headersWire);
        long size = MessageRecord.SizeFor(keyLength, valueLength, headersFramed, headerCount);
        if (counted > MessageMaxBytes || size > Arena.SlabSize)
        {
            ThrowTooLarge(keyLength, valueLength, headersWire, headerCount, counted, size, index);
        }

        return size;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowTooLarge(int keyLength, int valueLength, long headersWire, int headerCount, long counted, long size, int index)
    {
        CountRejected(ProduceRejectReason.MessageTooLarge);
        string which = index >= 0 ? $"Message {index} of the batch" : "The message";
        string parameter = index >= 0 ? "messages" : "value";
        if (counted > MessageMaxBytes)
        {
            throw new ArgumentException(
                $"{which} is {counted} bytes as librdkafka counts it (key {keyLength} + value {valueLength} + headers {headersWire} + {MessageRecord.LibrdkafkaRecordOverhead} bytes of record framing); message.max.bytes is {MessageMaxBytes}.",
                parameter);
        }

        throw new ArgumentException(
            $"{which} with {headerCount} headers needs {size} bytes of slab space (record header, key, value and framed headers); a slab holds {Arena.SlabSize} (message.max.bytes {MessageMaxBytes} + 64 KiB).",
            parameter);
    }

    private int ChoosePartition(TopicState topic, TopicLayout layout, ReadOnlySpan<byte> key, bool keyIsNull, int partition)
    {
        if (partition != KafkaPartition.Any)
        {
            ValidatePartition(topic, layout, partition, -1);
            return partition;
        }

        return PartitionFor(topic, layout, key, keyIsNull);
    }

    /// <summary>The partitioner's choice (the key's hash, or sticky-random); also the worker's for records accepted while their topic was pending.</summary>
    internal int PartitionFor(TopicState topic, TopicLayout layout, ReadOnlySpan<byte> key, bool keyIsNull)
    {
        int chosen = KeyPartitioner.ForKey(Partitioner, key, keyIsNull, layout.PartitionCount);
        return chosen >= 0 ? chosen : Partitioner == PartitionerType.Random && !keyIsNull ? Random.Shared.Next(layout.PartitionCount) : topic.StickyPartition(layout.PartitionCount);
    }

    /// <summary>
    /// An explicit partition must exist; on a pending topic (<paramref name="layout"/> null) only its sign is checked
    /// here, the rest when the partitions are known (the record then fails with a reason).
    /// </summary>
    private void ValidatePartition(TopicState topic, TopicLayout? layout, int partition, int index)
    {
        if (partition == KafkaPartition.Any || (layout is null ? partition >= 0 : (uint)partition < (uint)layout.PartitionCount))
        {
            return;
        }

        ThrowInvalidPartition(topic, layout, partition, index);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowInvalidPartition(TopicState topic, TopicLayout? layout, int partition, int index)
    {
        CountRejected(ProduceRejectReason.InvalidPartition);
        string which = index >= 0 ? $" (message {index} of the batch)" : string.Empty;
        throw new ArgumentOutOfRangeException(nameof(partition), partition, partition >= 0 && layout is not null
            ? $"Topic '{topic.Name}' has partitions 0..{layout.PartitionCount - 1}; use KafkaPartition.Any to let the partitioner choose{which}."
            : $"Partition {partition} is not a partition number: use 0 or more, or KafkaPartition.Any to let the partitioner choose{which}.");
    }

    /// <summary>A record's header fields: the one place they are written (copy and serialize-in-place paths).</summary>
    private static void WriteHeader(MessageRecord* record, Slab slab, long size, TopicState topic, int partition, int keyLength, int valueLength,
        long headersFramed, int headerCount, long timestampMs, int completionId, ushort flags)
    {
        record->TotalSize = (int)size;
        record->Partition = partition;
        record->KeyLength = keyLength;
        record->ValueLength = valueLength;
        record->HeadersLength = (int)headersFramed;
        record->HeaderCount = (ushort)headerCount;
        record->Flags = flags;
        record->TopicIndex = topic.Index;
        record->CompletionId = completionId;
        record->Timestamp = timestampMs;
        record->SlabIndex = slab.Index;
    }

    private static void WriteRecord(MessageRecord* record, Slab slab, long size, TopicState topic, int partition, ReadOnlySpan<byte> key,
        ValueSource value, int valueLength, ReadOnlySpan<KafkaHeader> headers, long headersFramed, long timestampMs, int completionId, ushort flags)
    {
        WriteHeader(record, slab, size, topic, partition, key.Length, valueLength, headersFramed, headers.Length, timestampMs, completionId, flags);
        byte* data = (byte*)(record + 1);
        key.CopyTo(new Span<byte>(data, key.Length));
        value.CopyTo(new Span<byte>(data + key.Length, valueLength));
        if (!headers.IsEmpty)
        {
            RecordHeaders.Write(headers, data + key.Length + valueLength);
        }
    }

    /// <summary>
    /// What the batch call works out per message before writing. Starts at <see cref="InitialCapacity"/> and grows
    /// (once per thread, doubling) to the longest batch the thread has written, up to <see cref="MaxCapacity"/>.
    /// </summary>
    private sealed class BatchScratch
    {
        internal const int InitialCapacity = 256;
        internal const int MaxCapacity = 16 * 1024; // 16K entries x 30 bytes: under 0.5 MiB per thread at most

        internal int[] Partitions = new int[InitialCapacity];
        internal long[] Sizes = new long[InitialCapacity];
        internal long[] FramedHeaders = new long[InitialCapacity];
        internal long[] Timestamps = new long[InitialCapacity];
        internal ushort[] Flags = new ushort[InitialCapacity];

        /// <summary>Grows to hold <paramref name="count"/> messages (at most <see cref="MaxCapacity"/>); returns how many it holds.</summary>
        internal int EnsureCapacity(int count)
        {
            int capacity = Sizes.Length;
            if (count <= capacity || capacity == MaxCapacity)
            {
                return capacity;
            }

            while (capacity < count && capacity < MaxCapacity)
            {
                capacity *= 2;
            }

            capacity = Math.Min(capacity, MaxCapacity);
            Partitions = new int[capacity];
            Sizes = new long[capacity];
            FramedHeaders = new long[capacity];
            Timestamps = new long[capacity];
            Flags = new ushort[capacity];
            return capacity;
        }
    }
}

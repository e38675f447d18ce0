using System.Buffers;
using System.Text.Json;
using KafkaFast.Buffers;
using KafkaFast.Producer.Engine;

namespace KafkaFast.Producer;

/// <summary>The produce calls: synchronous (never block), batch, serialize-in-place, and awaitable.</summary>
public sealed partial class KafkaProducer
{
    [ThreadStatic]
    private static Utf8JsonWriter? t_jsonWriter;

    /// <summary>
    /// Accepts one message or refuses it at once (false: the memory budget is full, counted as
    /// <see cref="ProduceRejectReason.BudgetFull"/>). Copies key, value and headers; never blocks.
    /// </summary>
    /// <param name="topic">From <see cref="GetTopic"/>.</param>
    /// <param name="key">The key, sent as given: an empty key is empty, not null (for no key use the overload without one).</param>
    /// <param name="value">The value (may be empty; for a null value see <see cref="TryProduceTombstone"/>).</param>
    /// <param name="headers">Headers, or empty.</param>
    /// <param name="partition">An explicit partition, or <see cref="KafkaPartition.Any"/>.</param>
    /// <param name="timestamp">The message timestamp, or null for the enqueue time.</param>
    /// <exception cref="ArgumentException">The message exceeds message.max.bytes (as librdkafka counts it), the partition does not exist, or a header has no name.</exception>
    /// <exception cref="ObjectDisposedException">The producer is closed.</exception>
    public bool TryProduce(KafkaTopic topic, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, ReadOnlySpan<KafkaHeader> headers = default,
        int partition = KafkaPartition.Any, DateTimeOffset? timestamp = null) =>
        _engine.TryWrite(Check(topic), key, new ValueSource(value), headers, partition, ProducerEngine.TimestampOf(timestamp), 0)
        || RejectedUnlessFatal();

    /// <summary>
    /// <see cref="TryProduce(KafkaTopic, ReadOnlySpan{byte}, ReadOnlySpan{byte}, ReadOnlySpan{KafkaHeader}, int, DateTimeOffset?)"/>
    /// without a key (a null key): the partitioner spreads keyless messages (one sticky partition at a time, as librdkafka).
    /// </summary>
    public bool TryProduce(KafkaTopic topic, ReadOnlySpan<byte> value, ReadOnlySpan<KafkaHeader> headers = default,
        int partition = KafkaPartition.Any, DateTimeOffset? timestamp = null) =>
        _engine.TryWrite(Check(topic), default, new ValueSource(value), headers, partition, ProducerEngine.TimestampOf(timestamp), 0, MessageRecord.FlagKeyNull)
        || RejectedUnlessFatal();

    /// <summary>
    /// Produces a tombstone: <paramref name="key"/> with a null value, the delete marker of compacted topics (an
    /// empty value is not a tombstone). Otherwise as <see cref="TryProduce(KafkaTopic, ReadOnlySpan{byte}, ReadOnlySpan{byte}, ReadOnlySpan{KafkaHeader}, int, DateTimeOffset?)"/>.
    /// </summary>
    public bool TryProduceTombstone(KafkaTopic topic, ReadOnlySpan<byte> key, ReadOnlySpan<KafkaHeader> headers = default,
        int partition = KafkaPartition.Any, DateTimeOffset? timestamp = null) =>
        _engine.TryWrite(Check(topic), key, default, headers, partition, ProducerEngine.TimestampOf(timestamp), 0, MessageRecord.FlagValueNull)
        || RejectedUnlessFatal();

    /// <summary>
    /// <see cref="TryProduce(KafkaTopic, ReadOnlySpan{byte}, ReadOnlySpan{byte}, ReadOnlySpan{KafkaHeader}, int, DateTimeOffset?)"/>
    /// with text: key and value are encoded as UTF-8 (the value straight into the producer's buffer). An empty key is
    /// an empty key; for no key use the overload without one.
    /// </summary>
    public bool TryProduce(KafkaTopic topic, ReadOnlySpan<char> key, ReadOnlySpan<char> value, ReadOnlySpan<KafkaHeader> headers = default,
        int partition = KafkaPartition.Any, DateTimeOffset? timestamp = null)
    {
        TopicState state = Check(topic);
        int keyBytes = System.Text.Encoding.UTF8.GetByteCount(key);
        byte[]? rented = keyBytes > 512 ? ArrayPool<byte>.Shared.Rent(keyBytes) : null;
        Span<byte> keyBuffer = rented ?? stackalloc byte[512];
        try
        {
            int written = System.Text.Encoding.UTF8.GetBytes(key, keyBuffer);
            return _engine.TryWrite(state, keyBuffer[..written], new ValueSource(value), headers, partition, ProducerEngine.TimestampOf(timestamp), 0)
                || RejectedUnlessFatal();
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>A text value (encoded as UTF-8 straight into the producer's buffer) without a key (a null key).</summary>
    public bool TryProduce(KafkaTopic topic, ReadOnlySpan<char> value, ReadOnlySpan<KafkaHeader> headers = default,
        int partition = KafkaPartition.Any, DateTimeOffset? timestamp = null) =>
        _engine.TryWrite(Check(topic), default, new ValueSource(value), headers, partition, ProducerEngine.TimestampOf(timestamp), 0, MessageRecord.FlagKeyNull)
        || RejectedUnlessFatal();

    /// <summary>
    /// Accepts a prefix of <paramref name="messages"/> in one call and returns its length: all of them, or fewer
    /// when the budget filled (the rest are refused and counted once). Every message of the batch, however long, is
    /// checked before any is accepted, so bad input throws (naming the message's index) with nothing accepted.
    /// </summary>
    public int TryProduceBatch(KafkaTopic topic, ReadOnlySpan<ProducerMessage> messages)
    {
        int accepted = _engine.TryWriteBatch(Check(topic), messages);
        if (accepted < messages.Length && !_engine.IsFatal) // a fatal refusal is counted by the engine
        {
            _engine.CountRejected(ProduceRejectReason.BudgetFull);
        }

        return accepted;
    }

    /// <summary>
    /// Serialize-in-place: <paramref name="writeValue"/> writes the value straight into the producer's buffer, so it
    /// is written once. Give <paramref name="sizeHint"/> when values may exceed 4 KiB (larger values still work,
    /// at the cost of a second copy). If <paramref name="writeValue"/> throws, nothing is accepted. The key is sent
    /// as given (empty is empty); for no key use the overload without one.
    /// </summary>
    public bool TryProduce<TState>(KafkaTopic topic, ReadOnlySpan<byte> key, TState state, Action<IBufferWriter<byte>, TState> writeValue,
        ReadOnlySpan<KafkaHeader> headers = default, int partition = KafkaPartition.Any, DateTimeOffset? timestamp = null, int sizeHint = 0)
    {
        ArgumentNullException.ThrowIfNull(writeValue);
        return _engine.TryWriteSerialized(Check(topic), key, headers, partition, ProducerEngine.TimestampOf(timestamp), sizeHint, state, writeValue, writerStaysInBounds: false)
            || RejectedUnlessFatal();
    }

    /// <summary>Serialize-in-place without a key (a null key); see <see cref="TryProduce{TState}(KafkaTopic, ReadOnlySpan{byte}, TState, Action{IBufferWriter{byte}, TState}, ReadOnlySpan{KafkaHeader}, int, DateTimeOffset?, int)"/>.</summary>
    public bool TryProduce<TState>(KafkaTopic topic, TState state, Action<IBufferWriter<byte>, TState> writeValue,
        ReadOnlySpan<KafkaHeader> headers = default, int partition = KafkaPartition.Any, DateTimeOffset? timestamp = null, int sizeHint = 0)
    {
        ArgumentNullException.ThrowIfNull(writeValue);
        return _engine.TryWriteSerialized(Check(topic), default, headers, partition, ProducerEngine.TimestampOf(timestamp), sizeHint, state, writeValue, writerStaysInBounds: false, MessageRecord.FlagKeyNull)
            || RejectedUnlessFatal();
    }

    /// <summary>
    /// Writes a JSON value with a <see cref="Utf8JsonWriter"/> straight into the producer's buffer (one writer per
    /// thread, reused: no allocation). Nothing is accepted if <paramref name="writeJson"/> throws. The key is sent as
    /// given (empty is empty); for no key use the overload without one.
    /// </summary>
    public bool TryProduceJson<TState>(KafkaTopic topic, ReadOnlySpan<byte> key, TState state, Action<Utf8JsonWriter, TState> writeJson,
        ReadOnlySpan<KafkaHeader> headers = default, int partition = KafkaPartition.Any, DateTimeOffset? timestamp = null) =>
        TryProduceJsonCore(topic, key, 0, state, writeJson, headers, partition, timestamp);

    /// <summary>A JSON value without a key (a null key); see <see cref="TryProduceJson{TState}(KafkaTopic, ReadOnlySpan{byte}, TState, Action{Utf8JsonWriter, TState}, ReadOnlySpan{KafkaHeader}, int, DateTimeOffset?)"/>.</summary>
    public bool TryProduceJson<TState>(KafkaTopic topic, TState state, Action<Utf8JsonWriter, TState> writeJson,
        ReadOnlySpan<KafkaHeader> headers = default, int partition = KafkaPartition.Any, DateTimeOffset? timestamp = null) =>
        TryProduceJsonCore(topic, default, MessageRecord.FlagKeyNull, state, writeJson, headers, partition, timestamp);

    private bool TryProduceJsonCore<TState>(KafkaTopic topic, ReadOnlySpan<byte> key, ushort flags, TState state, Action<Utf8JsonWriter, TState> writeJson,
        ReadOnlySpan<KafkaHeader> headers, int partition, DateTimeOffset? timestamp)
    {
        ArgumentNullException.ThrowIfNull(writeJson);
        return _engine.TryWriteSerialized(Check(topic), key, headers, partition, ProducerEngine.TimestampOf(timestamp), 0, (state, writeJson), static (buffer, s) =>
        {
            Utf8JsonWriter json = t_jsonWriter ??= new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = false });
            json.Reset(buffer);
            s.writeJson(json, s.state);
            json.Flush();
        }, writerStaysInBounds: true, flags) || RejectedUnlessFatal();
    }

    /// <summary>
    /// Produces and completes when the broker acknowledged the message (its partition, offset and timestamp) or it
    /// failed (<see cref="ProduceException"/>). Holds no thread while waiting, allocates nothing per call, and its
    /// continuation never runs on a producer worker. When the budget is full it fails at once with
    /// <see cref="ProduceException"/>, or waits up to OverflowTimeout under <see cref="OverflowPolicy.Wait"/>.
    /// The cancellation token cancels only that wait: an accepted message cannot be taken back.
    /// Await each returned ValueTask exactly once.
    /// </summary>
    public ValueTask<DeliveryResult> ProduceAsync(KafkaTopic topic, ProducerMessage message, CancellationToken cancellationToken = default)
    {
        TopicState state = Check(topic);
        DeliveryCompletionSource source = _engine.Completions.Rent();
        bool accepted;
        try
        {
            accepted = TryWriteMessage(state, message, source.Id);
        }
        catch
        {
            source.ReturnUnused();
            throw;
        }

        if (accepted)
        {
            return source.Task;
        }

        if (_engine.Options.OverflowPolicy == OverflowPolicy.Wait && !_engine.IsFatal)
        {
            return ProduceWhenSpaceAsync(state, message, source, cancellationToken);
        }

        source.ReturnUnused();
        return ValueTask.FromException<DeliveryResult>(Refused(state));
    }

    /// <summary>
    /// Produces <paramref name="value"/> with <paramref name="key"/>, both sent as given (empty is empty); see
    /// <see cref="ProduceAsync(KafkaTopic, ProducerMessage, CancellationToken)"/>. For no key or a tombstone, pass a
    /// <see cref="ProducerMessage"/>.
    /// </summary>
    public ValueTask<DeliveryResult> ProduceAsync(KafkaTopic topic, ReadOnlyMemory<byte> key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default) =>
        ProduceAsync(topic, new ProducerMessage(key, value), cancellationToken);

    /// <summary>
    /// Accepts the message, waiting for budget space up to <paramref name="timeout"/> (default OverflowTimeout),
    /// then returns without waiting for delivery: true when accepted, false when the budget stayed full (counted).
    /// </summary>
    public ValueTask<bool> EnqueueAsync(KafkaTopic topic, ProducerMessage message, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        TopicState state = Check(topic);
        TimeSpan wait = timeout ?? _engine.Options.OverflowTimeout;
        ArgumentOutOfRangeException.ThrowIfLessThan(wait, TimeSpan.Zero);
        if (TryWriteMessage(state, message, 0))
        {
            return ValueTask.FromResult(true);
        }

        return _engine.IsFatal ? ValueTask.FromResult(false) : EnqueueWhenSpaceAsync(state, message, wait, cancellationToken);
    }

    private bool TryWriteMessage(TopicState topic, in ProducerMessage message, int completionId) =>
        _engine.TryWrite(topic, message.Key.Span, new ValueSource(message.Value.Span), message.Headers.Span, message.Partition,
            ProducerEngine.TimestampOf(message.Timestamp), completionId, ProducerEngine.FlagsOf(in message));

    private async ValueTask<DeliveryResult> ProduceWhenSpaceAsync(TopicState topic, ProducerMessage message, DeliveryCompletionSource source, CancellationToken cancellationToken)
    {
        bool accepted;
        try
        {
            accepted = await WaitForSpaceAsync(topic, message, source.Id, _engine.Options.OverflowTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            source.ReturnUnused();
            throw;
        }

        if (!accepted)
        {
            source.ReturnUnused();
            throw Refused(topic);
        }

        return await source.Task.ConfigureAwait(false);
    }

    private async ValueTask<bool> EnqueueWhenSpaceAsync(TopicState topic, ProducerMessage message, TimeSpan timeout, CancellationToken cancellationToken)
    {
        bool accepted = await WaitForSpaceAsync(topic, message, 0, timeout, cancellationToken).ConfigureAwait(false);
        if (!accepted && !_engine.IsFatal) // a fatal refusal is counted by the engine
        {
            _engine.CountRejected(ProduceRejectReason.BudgetFull);
        }

        return accepted;
    }

    /// <summary>Retries each time a slab is freed, until accepted or the deadline passes.</summary>
    private async ValueTask<bool> WaitForSpaceAsync(TopicState topic, ProducerMessage message, int completionId, TimeSpan timeout, CancellationToken cancellationToken)
    {
        long deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        while (true)
        {
            using (var waiter = _engine.BudgetFreed.Register())
            {
                if (TryWriteMessage(topic, message, completionId))
                {
                    return true;
                }

                long remaining = deadline - Environment.TickCount64;
                if (remaining <= 0 || _engine.IsFatal)
                {
                    return false;
                }

                try
                {
                    await waiter.Task.WaitAsync(TimeSpan.FromMilliseconds(remaining), cancellationToken).ConfigureAwait(false);
                }
                catch (TimeoutException)
                {
                }
            }
        }
    }

    private ProduceException Refused(TopicState topic)
    {
        if (_engine.IsFatal)
        {
            return new ProduceException(KafkaErrorCode.Fatal, $"The producer stopped after a fatal error: {GetStatistics().FatalReason}", topic.Name, -1, PersistenceStatus.NotPersisted);
        }

        _engine.CountRejected(ProduceRejectReason.BudgetFull);
        return new ProduceException(KafkaErrorCode.QueueFull, $"The producer's memory budget ({_engine.Options.MemoryBudgetBytes} bytes) is full; the message was not accepted.", topic.Name, -1, PersistenceStatus.NotPersisted);
    }
}

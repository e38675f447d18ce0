using KafkaFast.Native;

namespace KafkaFast.Consumer;

/// <summary>
/// A view of one message in a <see cref="ConsumedBatch"/>: topic, partition, offset, timestamp, key, value and headers
/// read straight from librdkafka's memory, without copying. Valid until the batch is disposed; after that every
/// member throws <see cref="ObjectDisposedException"/> (the view holds the batch and the batch generation it was
/// made in). Spans returned must not be used after the batch is disposed.
/// </summary>
public readonly struct ConsumedMessage
{
    private readonly ConsumedBatch _batch;
    private readonly int _index;
    private readonly int _generation;

    internal ConsumedMessage(ConsumedBatch batch, int index, int generation)
    {
        _batch = batch;
        _index = index;
        _generation = generation;
    }

    /// <summary>The topic name (a cached string: no allocation).</summary>
    public string Topic => _batch.TopicOf(RdKafkaMessageFields.Topic(Native));

    /// <summary>The topic name as UTF-8, in librdkafka's memory.</summary>
    public ReadOnlySpan<byte> TopicUtf8 => RdKafkaMessageFields.TopicName(RdKafkaMessageFields.Topic(Native));

    /// <summary>The partition.</summary>
    public int Partition => RdKafkaMessageFields.Partition(Native);

    /// <summary>The message's offset in its partition.</summary>
    public long Offset => RdKafkaMessageFields.Offset(Native);

    /// <summary>Topic, partition and offset of this message (the offset to commit after it is <see cref="Offset"/> + 1).</summary>
    public TopicPartitionOffset TopicPartitionOffset
    {
        get
        {
            nint message = Native;
            return new TopicPartitionOffset(_batch.TopicOf(RdKafkaMessageFields.Topic(message)), RdKafkaMessageFields.Partition(message), RdKafkaMessageFields.Offset(message));
        }
    }

    /// <summary>The message timestamp and its type.</summary>
    public MessageTimestamp Timestamp
    {
        get
        {
            long ms = RdKafkaMessageFields.Timestamp(Native, out int type);
            return new MessageTimestamp(ms, (TimestampType)type);
        }
    }

    /// <summary>The partition leader epoch the message was written in (-1 when unknown).</summary>
    public int LeaderEpoch => RdKafkaMessageFields.LeaderEpoch(Native);

    /// <summary>The key (empty when the key is null: see <see cref="IsKeyNull"/>).</summary>
    public ReadOnlySpan<byte> Key => RdKafkaMessageFields.Key(Native);

    /// <summary>True when the message has no key (as opposed to an empty one).</summary>
    public bool IsKeyNull => RdKafkaMessageFields.IsKeyNull(Native);

    /// <summary>The value (empty when the value is null: see <see cref="IsValueNull"/>).</summary>
    public ReadOnlySpan<byte> Value => RdKafkaMessageFields.Value(Native);

    /// <summary>True when the value is null: a tombstone in a compacted topic.</summary>
    public bool IsValueNull => RdKafkaMessageFields.IsValueNull(Native);

    /// <summary>The headers, as views.</summary>
    public ConsumedHeaders Headers
    {
        get
        {
            _ = Native; // validates the view now rather than at first use
            return new ConsumedHeaders(this);
        }
    }

    /// <summary>
    /// The address of the underlying rd_kafka_message_t, checked: throws when the view is stale (its batch was
    /// disposed since: the message may be freed) or default. Every member reads through it, so none reads freed memory.
    /// </summary>
    internal nint Native
    {
        get
        {
            if (_batch is null)
            {
                throw new InvalidOperationException("This ConsumedMessage is default: it views no message.");
            }

            return _batch.MessageAt(_index, _generation);
        }
    }

    internal ConsumedBatch Batch => _batch;

    /// <inheritdoc/>
    public override string ToString() =>
        _batch is null ? "ConsumedMessage(none)" :
        _batch.Generation != _generation ? "ConsumedMessage(disposed)" :
        $"{Topic} [{Partition}] @{Offset}";
}

using System.Runtime.InteropServices;
using KafkaFast.Native;

namespace KafkaFast.Consumer;

/// <summary>
/// A view of one message in a <see cref="ConsumedBatch"/>: topic, partition, offset, timestamp, key, value and headers
/// read straight from librdkafka's memory, without copying. Valid until the batch is disposed; after that every
/// member throws <see cref="ObjectDisposedException"/> (the view holds the batch and the batch generation it was
/// made in). Spans returned must not be used after the batch is disposed.
/// </summary>
public readonly unsafe struct ConsumedMessage
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
    public string Topic
    {
        get
        {
            RdKafkaMessage* message = Native;
            return _batch.TopicOf(message->Topic);
        }
    }

    /// <summary>The topic name as UTF-8, in librdkafka's memory.</summary>
    public ReadOnlySpan<byte> TopicUtf8 => MemoryMarshal.CreateReadOnlySpanFromNullTerminated(LibRdKafka.TopicName(Native->Topic));

    /// <summary>The partition.</summary>
    public int Partition => Native->Partition;

    /// <summary>The message's offset in its partition.</summary>
    public long Offset => Native->Offset;

    /// <summary>Topic, partition and offset of this message (the offset to commit after it is <see cref="Offset"/> + 1).</summary>
    public TopicPartitionOffset TopicPartitionOffset
    {
        get
        {
            RdKafkaMessage* message = Native;
            return new TopicPartitionOffset(_batch.TopicOf(message->Topic), message->Partition, message->Offset);
        }
    }

    /// <summary>The message timestamp and its type.</summary>
    public MessageTimestamp Timestamp
    {
        get
        {
            int type;
            long ms = LibRdKafka.MessageTimestamp(Native, &type);
            return new MessageTimestamp(ms, (TimestampType)type);
        }
    }

    /// <summary>The partition leader epoch the message was written in (-1 when unknown).</summary>
    public int LeaderEpoch => LibRdKafka.MessageLeaderEpoch(Native);

    /// <summary>The key (empty when the key is null: see <see cref="IsKeyNull"/>).</summary>
    public ReadOnlySpan<byte> Key
    {
        get
        {
            RdKafkaMessage* message = Native;
            return new ReadOnlySpan<byte>(message->Key, checked((int)message->KeyLength));
        }
    }

    /// <summary>True when the message has no key (as opposed to an empty one).</summary>
    public bool IsKeyNull => Native->Key == null;

    /// <summary>The value (empty when the value is null: see <see cref="IsValueNull"/>).</summary>
    public ReadOnlySpan<byte> Value
    {
        get
        {
            RdKafkaMessage* message = Native;
            return new ReadOnlySpan<byte>(message->Payload, checked((int)message->Length));
        }
    }

    /// <summary>True when the value is null: a tombstone in a compacted topic.</summary>
    public bool IsValueNull => Native->Payload == null;

    /// <summary>The headers, as views.</summary>
    public ConsumedHeaders Headers
    {
        get
        {
            _ = Native; // validates the view now rather than at first use
            return new ConsumedHeaders(this);
        }
    }

    /// <summary>The underlying rd_kafka_message_t; throws when the view is stale or default.</summary>
    internal RdKafkaMessage* Native
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

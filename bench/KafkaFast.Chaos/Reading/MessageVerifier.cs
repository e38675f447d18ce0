using KafkaFast.Chaos.Messages;

namespace KafkaFast.Chaos.Reading;

/// <summary>
/// Checks one message read back against the copy rebuilt from its id: key, value, partition (when the producer
/// named one) and headers, byte for byte. One instance per reading thread (it owns scratch buffers).
/// </summary>
internal sealed class MessageVerifier(MessageFactory factory)
{
    private readonly byte[] _key = new byte[MessageFactory.MaxKeyLength];
    private readonly byte[] _value = new byte[MessageFactory.MaxValueLength];
    private readonly byte[] _header = new byte[MessageFactory.MaxHeaderValueLength];

    internal MessageFactory Factory => factory;

    /// <summary>Checks key, value and partition; on success <paramref name="layout"/> tells how many headers to expect.</summary>
    internal bool Verify(int partition, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, out MessageId id, out MessageLayout layout, out string? problem)
    {
        layout = default;
        if (!MessageFactory.TryReadId(value, out id, out problem))
        {
            return false;
        }

        if (id.Stream >= MessageId.MaxStreams)
        {
            problem = $"stream {id.Stream} does not exist";
            return false;
        }

        layout = factory.Layout(id);
        int keyLength = factory.WriteKey(id, layout, _key);
        if (!key.SequenceEqual(_key.AsSpan(0, keyLength)))
        {
            problem = $"message {id}: key differs ({key.Length} bytes read, {keyLength} sent)";
            return false;
        }

        int valueLength = factory.WriteValue(id, layout, _value);
        if (!value.SequenceEqual(_value.AsSpan(0, valueLength)))
        {
            problem = $"message {id}: value differs ({value.Length} bytes read, {valueLength} sent)";
            return false;
        }

        if (layout.Partition != MessageLayout.AnyPartition && layout.Partition != partition)
        {
            problem = $"message {id}: sent to partition {layout.Partition}, read from {partition}";
            return false;
        }

        return true;
    }

    /// <summary>Checks header <paramref name="index"/> of message <paramref name="id"/>.</summary>
    internal string? CheckHeader(MessageId id, int index, string name, ReadOnlySpan<byte> value)
    {
        string expectedName = MessageFactory.HeaderName(index);
        int length = factory.WriteHeaderValue(id, index, _header);
        if (name != expectedName || !value.SequenceEqual(_header.AsSpan(0, length)))
        {
            return $"message {id}: header {index} differs ('{name}' with {value.Length} bytes read, '{expectedName}' with {length} sent)";
        }

        return null;
    }
}

using KafkaFast.Chaos.Messages;
using KafkaFast.Producer;

namespace KafkaFast.Chaos.Producing;

/// <summary>One message built from its id into reusable buffers (the producer copies them during the call).</summary>
internal sealed class MessageScratch
{
    private readonly byte[][] _headerValues = [new byte[MessageFactory.MaxHeaderValueLength], new byte[MessageFactory.MaxHeaderValueLength], new byte[MessageFactory.MaxHeaderValueLength]];

    internal byte[] Key { get; } = new byte[MessageFactory.MaxKeyLength];

    internal byte[] Value { get; } = new byte[MessageFactory.MaxValueLength];

    internal char[] KeyChars { get; } = new char[MessageFactory.MaxKeyLength];

    internal char[] ValueChars { get; } = new char[MessageFactory.MaxValueLength];

    internal KafkaHeader[] Headers { get; } = new KafkaHeader[3];

    internal int KeyLength { get; private set; }

    internal int ValueLength { get; private set; }

    internal int HeaderCount { get; private set; }

    internal int Partition { get; private set; }

    internal void Build(MessageFactory factory, MessageId id)
    {
        MessageLayout layout = factory.Layout(id);
        KeyLength = factory.WriteKey(id, layout, Key);
        ValueLength = factory.WriteValue(id, layout, Value);
        HeaderCount = layout.HeaderCount;
        for (int i = 0; i < HeaderCount; i++)
        {
            int length = factory.WriteHeaderValue(id, i, _headerValues[i]);
            Headers[i] = new KafkaHeader(MessageFactory.HeaderName(i), _headerValues[i].AsMemory(0, length));
        }

        Partition = layout.Partition == MessageLayout.AnyPartition ? KafkaPartition.Any : layout.Partition;
    }

    /// <summary>Text streams: the ASCII key and value as UTF-16 (what a caller with strings hands over).</summary>
    internal void WidenToChars()
    {
        for (int i = 0; i < KeyLength; i++)
        {
            KeyChars[i] = (char)Key[i];
        }

        for (int i = 0; i < ValueLength; i++)
        {
            ValueChars[i] = (char)Value[i];
        }
    }
}

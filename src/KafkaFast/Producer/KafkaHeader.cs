namespace KafkaFast.Producer;

/// <summary>One message header: a name and a value (bytes). Both are copied when the message is accepted.</summary>
public readonly record struct KafkaHeader(string Key, ReadOnlyMemory<byte> Value);

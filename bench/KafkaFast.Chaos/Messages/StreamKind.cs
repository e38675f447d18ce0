namespace KafkaFast.Chaos.Messages;

/// <summary>Which produce call a stream (one producing thread) uses.</summary>
internal enum StreamKind
{
    /// <summary><c>TryProduce</c> with byte spans, one message per call.</summary>
    Single,
    /// <summary><c>TryProduceBatch</c>: runs of 1..64 messages per call; a refused tail is offered again.</summary>
    Batch,
    /// <summary><c>ProduceAsync</c>, up to 64 awaits outstanding; the outcome of each is checked.</summary>
    Async,
    /// <summary><c>TryProduce</c> with text (UTF-16 in, UTF-8 on the wire).</summary>
    Text,
    /// <summary>Confluent.Kafka's <c>Produce</c> in the same process under the same faults (--confluent-peer): tells
    /// whether a loss is KafkaFast's or librdkafka's and the embedded cluster's.</summary>
    ConfluentPeer,
}

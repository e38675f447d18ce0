using KafkaFast.Producer.Engine;

namespace KafkaFast.Producer;

/// <summary>
/// A topic a <see cref="KafkaProducer"/> writes to, resolved once (metadata, partition count, a librdkafka topic
/// handle per client) so that no topic name is looked up or marshalled per message. Get it from
/// <see cref="KafkaProducer.GetTopic"/>, ideally at start-up; keep it for the producer's lifetime.
/// </summary>
public sealed class KafkaTopic
{
    internal KafkaTopic(KafkaProducer producer, TopicState state)
    {
        Producer = producer;
        State = state;
    }

    /// <summary>The producer this handle belongs to (a handle keeps its producer alive).</summary>
    public KafkaProducer Producer { get; }

    /// <summary>The topic name.</summary>
    public string Name => State.Name;

    /// <summary>The number of partitions, as read from the cluster when the handle was made.</summary>
    public int PartitionCount => State.PartitionCount;

    internal TopicState State { get; }

    /// <inheritdoc/>
    public override string ToString() => $"{Name} ({PartitionCount} partitions)";
}

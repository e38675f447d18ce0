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

    /// <summary>
    /// The number of partitions, as the cluster last reported it (re-read every topic.metadata.refresh.interval.ms:
    /// partitions added later are used without a restart). 0 while <see cref="IsPending"/>.
    /// </summary>
    public int PartitionCount => State.PartitionCount;

    /// <summary>Whether the topic's partitions are not known yet (the cluster could not be reached when it was resolved); its messages wait in the producer until they are.</summary>
    public bool IsPending => State.Layout is null;

    internal TopicState State { get; }

    /// <inheritdoc/>
    public override string ToString() => IsPending ? $"{Name} (partitions pending)" : $"{Name} ({PartitionCount} partitions)";
}

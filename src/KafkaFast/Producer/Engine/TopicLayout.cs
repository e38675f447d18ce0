namespace KafkaFast.Producer.Engine;

/// <summary>
/// A topic's partitions as the producer uses them: how many, and which client owns each. Immutable: replaced
/// whole when the topic grows, so a writer that read one layout chooses a partition and a client consistently.
/// </summary>
internal sealed class TopicLayout
{
    internal TopicLayout(int topicIndex, int partitionCount, int clientCount)
    {
        PartitionCount = partitionCount;
        ClientOfPartition = new int[partitionCount];
        for (int p = 0; p < partitionCount; p++)
        {
            // Spread partitions of every topic over all clients. A partition keeps its client for the producer's
            // lifetime (partitions added later extend the same rule), so order holds.
            ClientOfPartition[p] = (p + topicIndex) % clientCount;
        }
    }

    internal int PartitionCount { get; }

    internal int[] ClientOfPartition { get; }
}

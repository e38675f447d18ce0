using KafkaFast.Native;

namespace KafkaFast.Producer.Engine;

/// <summary>
/// What the engine knows of one topic: its index (stored in records instead of the name), partition count,
/// which client owns each partition, and each client's rd_kafka_topic_t.
/// </summary>
internal sealed class TopicState
{
    /// <summary>How long keyless messages stick to one partition, as librdkafka's sticky.partitioning.linger.ms.</summary>
    private const int StickyMilliseconds = 10;

    private int _stickyPartition;
    private long _stickyUntil;

    internal TopicState(string name, int index, int partitionCount, int clientCount, SafeTopicHandle[] handles)
    {
        Name = name;
        Index = index;
        PartitionCount = partitionCount;
        Handles = handles;
        ClientTopics = handles.Select(h => h.DangerousGetHandle()).ToArray();
        ClientOfPartition = new int[partitionCount];
        for (int p = 0; p < partitionCount; p++)
        {
            // Spread partitions of every topic over all clients; fixed for the producer's lifetime, so order holds.
            ClientOfPartition[p] = (p + index) % clientCount;
        }
    }

    internal string Name { get; }

    internal int Index { get; }

    internal int PartitionCount { get; }

    internal int[] ClientOfPartition { get; }

    /// <summary>rd_kafka_topic_t per client; valid while <see cref="Handles"/> are open (they close when the client's worker stops).</summary>
    internal nint[] ClientTopics { get; }

    internal SafeTopicHandle[] Handles { get; }

    /// <summary>A partition for a keyless message: one random partition per 10 ms window, so batches fill up.</summary>
    internal int StickyPartition()
    {
        long now = Environment.TickCount64;
        if (now < Volatile.Read(ref _stickyUntil))
        {
            return Volatile.Read(ref _stickyPartition);
        }

        // Racing threads may each pick one; any of them is a valid random choice.
        int partition = Random.Shared.Next(PartitionCount);
        Volatile.Write(ref _stickyPartition, partition);
        Volatile.Write(ref _stickyUntil, now + StickyMilliseconds);
        return partition;
    }
}

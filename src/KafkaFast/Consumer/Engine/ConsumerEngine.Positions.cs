using KafkaFast.Native;

namespace KafkaFast.Consumer.Engine;

/// <summary>Fetch positions of assigned partitions: seek, pause, resume.</summary>
internal sealed partial class ConsumerEngine
{
    /// <summary>How long a seek may wait for librdkafka to apply it to every partition.</summary>
    private const int SeekTimeoutMs = 30_000;

    internal void Seek(IEnumerable<TopicPartitionOffset> positions)
    {
        using var list = TopicPartitionLists.From(positions, nameof(positions));
        using var lease = Lease();
        ThrowIfError(LibRdKafka.SeekPartitions(lease.Pointer, list, SeekTimeoutMs), "seek");
        PartitionFailures.ThrowOnElementErrors(list, "seek");
    }

    internal void Pause(IEnumerable<TopicPartition> partitions)
    {
        using var list = TopicPartitionLists.From(partitions, nameof(partitions));
        using var lease = Lease();
        ThrowIfError(LibRdKafka.PausePartitions(lease.Pointer, list), "pause");
        PartitionFailures.ThrowOnElementErrors(list, "pause");
    }

    internal void Resume(IEnumerable<TopicPartition> partitions)
    {
        using var list = TopicPartitionLists.From(partitions, nameof(partitions));
        using var lease = Lease();
        ThrowIfError(LibRdKafka.ResumePartitions(lease.Pointer, list), "resume");
        PartitionFailures.ThrowOnElementErrors(list, "resume");
    }
}

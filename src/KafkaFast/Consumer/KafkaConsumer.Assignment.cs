using KafkaFast.Consumer.Engine;

namespace KafkaFast.Consumer;

/// <summary>Manual assignment and fetch positions: Assign and friends, Seek, Pause, Resume.</summary>
public sealed partial class KafkaConsumer
{
    /// <summary>
    /// Reads exactly these partitions, replacing the current manual assignment, without a group subscription (no
    /// rebalances). Each starts at the group's committed offset, or where <see cref="KafkaConsumerOptions.AutoOffsetReset"/>
    /// says when there is none (always, for a consumer without <see cref="GroupId"/>).
    /// </summary>
    /// <exception cref="ArgumentException">A topic name or partition is invalid, or a partition is listed twice.</exception>
    /// <exception cref="InvalidOperationException">The consumer is subscribed (Subscribe and Assign are exclusive), or this is called from an event handler.</exception>
    public void Assign(IEnumerable<TopicPartition> partitions)
    {
        using var list = TopicPartitionLists.StartingPositions(partitions, _engine.DefaultStartOffset, nameof(partitions));
        _engine.Assign(list, incremental: false, remove: false);
    }

    /// <summary>
    /// Reads exactly these partitions from the given offsets (an offset, <see cref="KafkaOffset.Beginning"/>,
    /// <see cref="KafkaOffset.End"/>, <see cref="KafkaOffset.Stored"/> for the committed offset, or an offset found
    /// by <see cref="OffsetsForTimes(IEnumerable{TopicPartitionTimestamp}, TimeSpan)"/>), replacing the current manual
    /// assignment. See <see cref="Assign(IEnumerable{TopicPartition})"/>.
    /// </summary>
    public void Assign(IEnumerable<TopicPartitionOffset> partitions)
    {
        using var list = TopicPartitionLists.StartingPositions(partitions, _engine.DefaultStartOffset, nameof(partitions));
        _engine.Assign(list, incremental: false, remove: false);
    }

    /// <summary>Adds partitions to the manual assignment (see <see cref="Assign(IEnumerable{TopicPartition})"/>); the others keep their positions.</summary>
    /// <exception cref="KafkaException">A partition is already assigned.</exception>
    public void IncrementalAssign(IEnumerable<TopicPartition> partitions)
    {
        using var list = TopicPartitionLists.StartingPositions(partitions, _engine.DefaultStartOffset, nameof(partitions));
        _engine.Assign(list, incremental: true, remove: false);
    }

    /// <summary>Adds partitions to the manual assignment, starting at the given offsets (see <see cref="Assign(IEnumerable{TopicPartitionOffset})"/>).</summary>
    /// <exception cref="KafkaException">A partition is already assigned.</exception>
    public void IncrementalAssign(IEnumerable<TopicPartitionOffset> partitions)
    {
        using var list = TopicPartitionLists.StartingPositions(partitions, _engine.DefaultStartOffset, nameof(partitions));
        _engine.Assign(list, incremental: true, remove: false);
    }

    /// <summary>Stops reading these partitions of the manual assignment; the others go on.</summary>
    /// <exception cref="KafkaException">A partition is not assigned.</exception>
    public void IncrementalUnassign(IEnumerable<TopicPartition> partitions)
    {
        using var list = TopicPartitionLists.Distinct(TopicPartitionLists.From(partitions, nameof(partitions)), nameof(partitions));
        _engine.Assign(list, incremental: true, remove: true);
    }

    /// <summary>Stops reading every manually assigned partition. Nothing is committed (commit first if you want to).</summary>
    public void Unassign() => _engine.Unassign();

    /// <summary>
    /// Moves the fetch position of assigned partitions: the next batches continue from these offsets (or
    /// <see cref="KafkaOffset.Beginning"/>/<see cref="KafkaOffset.End"/>). Messages already fetched past the old
    /// position are discarded.
    /// </summary>
    /// <exception cref="KafkaException">A partition is not assigned, or the seek failed.</exception>
    public void Seek(IEnumerable<TopicPartitionOffset> positions) => _engine.Seek(positions);

    /// <summary>Moves the fetch position of one assigned partition (see <see cref="Seek(IEnumerable{TopicPartitionOffset})"/>).</summary>
    public void Seek(TopicPartitionOffset position) => _engine.Seek([position]);

    /// <summary>
    /// Moves the fetch position of assigned partitions to the first message at or after <paramref name="time"/>
    /// (the end, where there is none): <see cref="OffsetsForTimes(IEnumerable{TopicPartition}, DateTimeOffset, TimeSpan)"/>, then
    /// <see cref="Seek(IEnumerable{TopicPartitionOffset})"/>.
    /// </summary>
    public void Seek(IEnumerable<TopicPartition> partitions, DateTimeOffset time, TimeSpan timeout) =>
        _engine.Seek(OffsetsForTimes(partitions, time, timeout));

    /// <summary>Stops fetching from assigned partitions until <see cref="Resume"/> (membership is kept).</summary>
    public void Pause(IEnumerable<TopicPartition> partitions) => _engine.Pause(partitions);

    /// <summary>Resumes fetching from paused partitions.</summary>
    public void Resume(IEnumerable<TopicPartition> partitions) => _engine.Resume(partitions);
}

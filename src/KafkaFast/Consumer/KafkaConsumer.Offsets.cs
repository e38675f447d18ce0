namespace KafkaFast.Consumer;

/// <summary>Storing and committing offsets.</summary>
public sealed partial class KafkaConsumer
{
    /// <summary>
    /// Stores <paramref name="message"/>'s offset + 1 (with its leader epoch) for the next commit of its partition.
    /// The stored offset is replaced as given, but commits of stored offsets only move forward: a stored offset at or
    /// behind the committed one is not committed (use <see cref="Commit(IEnumerable{TopicPartitionOffset})"/> to rewind).
    /// </summary>
    /// <exception cref="KafkaException">The partition is no longer assigned (<see cref="KafkaErrorCode.State"/>), or librdkafka refused.</exception>
    /// <exception cref="InvalidOperationException">The consumer has no <see cref="GroupId"/>.</exception>
    public void StoreOffset(ConsumedMessage message) => _engine.StoreOffset(message);

    /// <summary>Stores the batch's offsets: for each partition in it, the highest offset + 1 (with its leader epoch).</summary>
    /// <exception cref="KafkaException">Some partitions are no longer assigned (<see cref="KafkaErrorCode.State"/>); the others were stored.</exception>
    public void StoreOffsets(ConsumedBatch batch) => _engine.StoreOffsets(batch);

    /// <summary>Stores explicit offsets (the offset of the next message to read) for the next commit.</summary>
    /// <exception cref="KafkaException">A partition is not assigned, or librdkafka refused an offset.</exception>
    public void StoreOffsets(IEnumerable<TopicPartitionOffset> offsets) => _engine.StoreOffsets(offsets);

    /// <summary>
    /// Commits the stored offsets of the assigned partitions that are ahead of their committed offsets, and waits for
    /// the broker. Returns what was committed (empty when nothing new was stored).
    /// </summary>
    /// <exception cref="InvalidOperationException">No partitions are assigned, or the consumer has no <see cref="GroupId"/>.</exception>
    /// <exception cref="KafkaException">The commit failed (the message lists the partitions and reasons).</exception>
    public IReadOnlyList<TopicPartitionOffset> Commit() => _engine.Commit(null, requireAssignment: true);

    /// <summary>
    /// Stores the batch's offsets (<see cref="StoreOffsets(ConsumedBatch)"/>) and commits exactly those (per partition
    /// in the batch, its highest offset + 1, with leader epoch), waiting for the broker. Returns them.
    /// </summary>
    public IReadOnlyList<TopicPartitionOffset> Commit(ConsumedBatch batch) => _engine.Commit(batch);

    /// <summary>Stores the message's offset + 1 (<see cref="StoreOffset"/>) and commits exactly that, waiting for the broker.</summary>
    public IReadOnlyList<TopicPartitionOffset> Commit(ConsumedMessage message) => _engine.Commit(message);

    /// <summary>Commits explicit offsets (the next offset to read per partition), waiting for the broker.</summary>
    public IReadOnlyList<TopicPartitionOffset> Commit(IEnumerable<TopicPartitionOffset> offsets) => _engine.Commit(offsets);

    /// <summary>Commits the stored offsets without blocking; the task completes when the broker answers.</summary>
    /// <exception cref="InvalidOperationException">No partitions are assigned.</exception>
    public Task<IReadOnlyList<TopicPartitionOffset>> CommitAsync() => _engine.CommitAsync(null, requireAssignment: true);

    /// <summary>Stores the batch's offsets and commits exactly those without blocking (see <see cref="Commit(ConsumedBatch)"/>).</summary>
    public Task<IReadOnlyList<TopicPartitionOffset>> CommitAsync(ConsumedBatch batch) => _engine.CommitAsync(batch);

    /// <summary>Commits explicit offsets without blocking.</summary>
    public Task<IReadOnlyList<TopicPartitionOffset>> CommitAsync(IEnumerable<TopicPartitionOffset> offsets) => _engine.CommitAsync(offsets);
}

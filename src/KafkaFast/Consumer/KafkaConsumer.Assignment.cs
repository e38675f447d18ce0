using KafkaFast.Native;

namespace KafkaFast.Consumer;

public sealed unsafe partial class KafkaConsumer
{
    /// <summary>Who chose the partitions in <see cref="_assignment"/>: nobody yet, the group (Subscribe) or the application (Assign).</summary>
    private enum AssignmentSource
    {
        None,
        Group,
        Manual,
    }

    /// <summary>Lock: <see cref="_assignment"/>.</summary>
    private AssignmentSource _assignmentSource;

    /// <summary>True between Subscribe and Unsubscribe. Lock: <see cref="_assignment"/>.</summary>
    private bool _subscribed;

    /// <summary>
    /// Reads exactly these partitions, replacing the current manual assignment, without a group subscription (no
    /// rebalances). Each starts at the group's committed offset, or where <see cref="KafkaConsumerOptions.AutoOffsetReset"/>
    /// says when there is none (always, for a consumer without <see cref="GroupId"/>).
    /// </summary>
    /// <exception cref="ArgumentException">A topic name or partition is invalid, or a partition is listed twice.</exception>
    /// <exception cref="InvalidOperationException">The consumer is subscribed (Subscribe and Assign are exclusive), or this is called from an event handler.</exception>
    public void Assign(IEnumerable<TopicPartition> partitions)
    {
        using SafeTopicPartitionListHandle list = StartingPositions(partitions, nameof(partitions));
        ApplyManualAssignment(list, incremental: false, remove: false, "assign");
    }

    /// <summary>
    /// Reads exactly these partitions from the given offsets (an offset, <see cref="KafkaOffset.Beginning"/>,
    /// <see cref="KafkaOffset.End"/>, <see cref="KafkaOffset.Stored"/> for the committed offset, or an offset found
    /// by <see cref="OffsetsForTimes(IEnumerable{TopicPartitionTimestamp}, TimeSpan)"/>), replacing the current manual
    /// assignment. See <see cref="Assign(IEnumerable{TopicPartition})"/>.
    /// </summary>
    public void Assign(IEnumerable<TopicPartitionOffset> partitions)
    {
        using SafeTopicPartitionListHandle list = StartingPositions(partitions, nameof(partitions));
        ApplyManualAssignment(list, incremental: false, remove: false, "assign");
    }

    /// <summary>Adds partitions to the manual assignment (see <see cref="Assign(IEnumerable{TopicPartition})"/>); the others keep their positions.</summary>
    /// <exception cref="KafkaException">A partition is already assigned.</exception>
    public void IncrementalAssign(IEnumerable<TopicPartition> partitions)
    {
        using SafeTopicPartitionListHandle list = StartingPositions(partitions, nameof(partitions));
        ApplyManualAssignment(list, incremental: true, remove: false, "add to the assignment");
    }

    /// <summary>Adds partitions to the manual assignment, starting at the given offsets (see <see cref="Assign(IEnumerable{TopicPartitionOffset})"/>).</summary>
    /// <exception cref="KafkaException">A partition is already assigned.</exception>
    public void IncrementalAssign(IEnumerable<TopicPartitionOffset> partitions)
    {
        using SafeTopicPartitionListHandle list = StartingPositions(partitions, nameof(partitions));
        ApplyManualAssignment(list, incremental: true, remove: false, "add to the assignment");
    }

    /// <summary>Stops reading these partitions of the manual assignment; the others go on.</summary>
    /// <exception cref="KafkaException">A partition is not assigned.</exception>
    public void IncrementalUnassign(IEnumerable<TopicPartition> partitions)
    {
        using SafeTopicPartitionListHandle list = TopicPartitionLists.From(partitions, nameof(partitions));
        CheckDistinct(list, nameof(partitions));
        ApplyManualAssignment(list, incremental: true, remove: true, "remove from the assignment");
    }

    /// <summary>Stops reading every manually assigned partition. Nothing is committed (commit first if you want to).</summary>
    public void Unassign()
    {
        CheckManualAssignmentAllowed();
        using var lease = Lease();
        lock (_assignment)
        {
            ThrowIfError(LibRdKafka.Assign(lease.Pointer, null), "unassign");
            _assignment.Clear();
            _assignmentSource = AssignmentSource.None;
        }
    }

    /// <summary>The manual assignment's starting positions: explicit offsets validated, or the default start per partition.</summary>
    private SafeTopicPartitionListHandle StartingPositions(IEnumerable<TopicPartition> partitions, string paramName)
    {
        SafeTopicPartitionListHandle list = TopicPartitionLists.From(partitions, paramName);
        try
        {
            CheckDistinct(list, paramName);
            long start = DefaultStartOffset;
            for (int i = 0; i < list.Count; i++)
            {
                list[i].Offset = start;
            }

            return list;
        }
        catch
        {
            list.Dispose();
            throw;
        }
    }

    private SafeTopicPartitionListHandle StartingPositions(IEnumerable<TopicPartitionOffset> partitions, string paramName)
    {
        SafeTopicPartitionListHandle list = TopicPartitionLists.From(partitions, paramName);
        try
        {
            CheckDistinct(list, paramName);
            for (int i = 0; i < list.Count; i++)
            {
                ref RdKafkaTopicPartition element = ref list[i];
                long offset = element.Offset;
                if (offset == KafkaOffset.Stored || offset == KafkaOffset.Unset)
                {
                    element.Offset = DefaultStartOffset;
                }
                else if (offset < 0 && offset != KafkaOffset.Beginning && offset != KafkaOffset.End)
                {
                    throw new ArgumentOutOfRangeException(paramName, offset,
                        $"Start offset of {SafeTopicPartitionListHandle.TopicOf(element)} [{element.Partition}] must be >= 0, KafkaOffset.Beginning, KafkaOffset.End or KafkaOffset.Stored.");
                }
            }

            return list;
        }
        catch
        {
            list.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Where a partition assigned without an offset starts: the committed offset (librdkafka falls back to
    /// auto.offset.reset), or, without a group, straight where auto.offset.reset says (no committed offsets to ask for).
    /// </summary>
    private long DefaultStartOffset => HasGroup ? KafkaOffset.Stored : _autoOffsetReset switch
    {
        AutoOffsetReset.Earliest => KafkaOffset.Beginning,
        AutoOffsetReset.Latest => KafkaOffset.End,
        _ => KafkaOffset.Stored, // Error: nothing committed, so librdkafka reports the partition as a consume error
    };

    private static void CheckDistinct(SafeTopicPartitionListHandle list, string paramName)
    {
        var seen = new HashSet<TopicPartition>();
        for (int i = 0; i < list.Count; i++)
        {
            var partition = new TopicPartition(SafeTopicPartitionListHandle.TopicOf(list[i]), list[i].Partition);
            if (!seen.Add(partition))
            {
                throw new ArgumentException($"{partition} is listed twice.", paramName);
            }
        }
    }

    private void CheckManualAssignmentAllowed()
    {
        ThrowIfDisposed();
        if (_callbackThreadId == Environment.CurrentManagedThreadId)
        {
            throw new InvalidOperationException(
                "Assign and Unassign cannot be called from an event handler: the group assigns partitions there (to choose where they start, Seek in PartitionsAssigned).");
        }

        lock (_assignment)
        {
            if (_subscribed || _assignmentSource == AssignmentSource.Group)
            {
                throw new InvalidOperationException(_subscribed
                    ? "This consumer is subscribed: the group assigns its partitions. Assign and Subscribe are exclusive; call Unsubscribe first."
                    : "The group's partitions are still assigned after Unsubscribe: they are revoked during the next consume call; assign after that.");
            }
        }
    }

    /// <summary>rd_kafka_assign (replace) or rd_kafka_incremental_(un)assign, then the same change to <see cref="_assignment"/>.</summary>
    private void ApplyManualAssignment(SafeTopicPartitionListHandle list, bool incremental, bool remove, string what)
    {
        CheckManualAssignmentAllowed();
        TopicPartition[] partitions = TopicPartitionLists.ToPartitions(list.List);
        using var lease = Lease();
        lock (_assignment) // one manual change at a time, so librdkafka's assignment and ours change together
        {
            if (!incremental)
            {
                ThrowIfError(LibRdKafka.Assign(lease.Pointer, list.List), what);
                _assignment.Clear();
                _assignment.UnionWith(partitions);
            }
            else
            {
                nint error = remove ? LibRdKafka.IncrementalUnassign(lease.Pointer, list.List) : LibRdKafka.IncrementalAssign(lease.Pointer, list.List);
                ThrowIfError(error, $"{what} ({string.Join(", ", partitions)})");
                if (remove)
                {
                    _assignment.ExceptWith(partitions);
                }
                else
                {
                    _assignment.UnionWith(partitions);
                }
            }

            _assignmentSource = _assignment.Count > 0 ? AssignmentSource.Manual : AssignmentSource.None;
        }
    }

    // ---------------------------------------------------------------- time-based offsets

    /// <summary>
    /// Per partition, the earliest offset whose timestamp is at or after the given time, asked of the partition
    /// leaders; <see cref="KafkaOffset.End"/> where no message is that recent. Pass the result to
    /// <see cref="Assign(IEnumerable{TopicPartitionOffset})"/> or <see cref="Seek(IEnumerable{TopicPartitionOffset})"/>
    /// to read from that time. Works without a group and for partitions not assigned to this consumer.
    /// </summary>
    /// <exception cref="ArgumentException">A topic name, partition or timestamp is invalid.</exception>
    /// <exception cref="KafkaException">The lookup failed or timed out (the message lists each failed partition and its reason).</exception>
    public IReadOnlyList<TopicPartitionOffset> OffsetsForTimes(IEnumerable<TopicPartitionTimestamp> timestamps, TimeSpan timeout)
    {
        int timeoutMs = ToTimeoutMs(timeout, nameof(timeout));
        using SafeTopicPartitionListHandle list = TopicPartitionLists.From(timestamps, nameof(timestamps));
        if (list.Count == 0)
        {
            return [];
        }

        CheckDistinct(list, nameof(timestamps));
        using var lease = Lease();
        int err = LibRdKafka.OffsetsForTimes(lease.Pointer, list.List, timeoutMs);
        ThrowOnElementErrors(list, "look up offsets for times");
        ThrowIfError(err, "look up offsets for times");
        return TopicPartitionLists.ToOffsets(list.List);
    }

    /// <summary>The offsets of <paramref name="partitions"/> at <paramref name="time"/> (see <see cref="OffsetsForTimes(IEnumerable{TopicPartitionTimestamp}, TimeSpan)"/>).</summary>
    public IReadOnlyList<TopicPartitionOffset> OffsetsForTimes(IEnumerable<TopicPartition> partitions, DateTimeOffset time, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        return OffsetsForTimes(partitions.Select(p => new TopicPartitionTimestamp(p, time)), timeout);
    }

    /// <summary>
    /// Moves the fetch position of assigned partitions to the first message at or after <paramref name="time"/>
    /// (the end, where there is none): <see cref="OffsetsForTimes(IEnumerable{TopicPartition}, DateTimeOffset, TimeSpan)"/>, then
    /// <see cref="Seek(IEnumerable{TopicPartitionOffset})"/>.
    /// </summary>
    public void Seek(IEnumerable<TopicPartition> partitions, DateTimeOffset time, TimeSpan timeout) =>
        Seek(OffsetsForTimes(partitions, time, timeout));
}

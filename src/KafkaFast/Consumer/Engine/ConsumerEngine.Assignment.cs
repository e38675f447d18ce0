using KafkaFast.Native;

namespace KafkaFast.Consumer.Engine;

/// <summary>Manual assignment (Assign and friends): partitions the application chooses, without a subscription.</summary>
internal sealed partial class ConsumerEngine
{
    /// <summary>Who chose the partitions in <see cref="_assignment"/>: nobody yet, the group (Subscribe) or the application (Assign).</summary>
    private enum AssignmentSource
    {
        None,
        Group,
        Manual,
    }

    /// <summary>The partitions assigned to this consumer, kept by the rebalance handler and by manual assignment. Lock: itself.</summary>
    private readonly HashSet<TopicPartition> _assignment = [];

    /// <summary>Lock: <see cref="_assignment"/>.</summary>
    private AssignmentSource _assignmentSource;

    /// <summary>True between Subscribe and Unsubscribe. Lock: <see cref="_assignment"/>.</summary>
    private bool _subscribed;

    internal IReadOnlyList<TopicPartition> Assignment
    {
        get
        {
            lock (_assignment)
            {
                return [.. _assignment.Order()];
            }
        }
    }

    private bool HasAssignment
    {
        get
        {
            lock (_assignment)
            {
                return _assignment.Count > 0;
            }
        }
    }

    /// <summary>Replaces the manual assignment (<paramref name="incremental"/> false), or adds to it / removes from it.</summary>
    internal void Assign(SafeTopicPartitionListHandle list, bool incremental, bool remove)
    {
        CheckManualAssignmentAllowed();
        TopicPartition[] partitions = TopicPartitionLists.ToPartitions(list);
        string what = !incremental ? "assign" : remove ? "remove from the assignment" : "add to the assignment";
        using var lease = Lease();
        lock (_assignment) // one manual change at a time, so librdkafka's assignment and ours change together
        {
            if (!incremental)
            {
                ThrowIfError(LibRdKafka.Assign(lease.Pointer, list), what);
                _assignment.Clear();
                _assignment.UnionWith(partitions);
            }
            else
            {
                nint error = remove ? LibRdKafka.IncrementalUnassign(lease.Pointer, list) : LibRdKafka.IncrementalAssign(lease.Pointer, list);
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

    internal void Unassign()
    {
        CheckManualAssignmentAllowed();
        using var lease = Lease();
        lock (_assignment)
        {
            ThrowIfError(LibRdKafka.Unassign(lease.Pointer), "unassign");
            _assignment.Clear();
            _assignmentSource = AssignmentSource.None;
        }
    }

    /// <summary>
    /// Where a partition assigned without an offset starts: the committed offset (librdkafka falls back to
    /// auto.offset.reset), or, without a group, straight where auto.offset.reset says (no committed offsets to ask for).
    /// </summary>
    internal long DefaultStartOffset => HasGroup ? KafkaOffset.Stored : _autoOffsetReset switch
    {
        AutoOffsetReset.Earliest => KafkaOffset.Beginning,
        AutoOffsetReset.Latest => KafkaOffset.End,
        _ => KafkaOffset.Stored, // Error: nothing committed, so librdkafka reports the partition as a consume error
    };

    private void CheckManualAssignmentAllowed()
    {
        ThrowIfDisposed();
        if (OnCallbackThread)
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
}

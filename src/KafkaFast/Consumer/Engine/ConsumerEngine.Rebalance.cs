using KafkaFast.Native;

namespace KafkaFast.Consumer.Engine;

/// <summary>
/// The group's rebalances, served on the thread inside a consume call (or Close): assign, then tell the application;
/// revoke after telling it (so it can commit).
/// </summary>
internal sealed partial class ConsumerEngine
{
    internal event EventHandler<PartitionsAssignedEventArgs>? PartitionsAssigned;

    internal event EventHandler<PartitionsRevokedEventArgs>? PartitionsRevoked;

    internal event EventHandler<PartitionsLostEventArgs>? PartitionsLost;

    /// <summary>
    /// Assign: take the partitions, then tell the application (so it can seek or read committed offsets).
    /// Revoke: tell the application first (it may commit), then give them up. With the cooperative protocol only
    /// the partitions listed move; with eager ones the whole assignment does.
    /// </summary>
    void IConsumerCallbackTarget.OnRebalance(nint rk, int err, SafeTopicPartitionListHandle partitions, bool cooperative)
    {
        TopicPartition[] list = TopicPartitionLists.ToPartitions(partitions);
        if (err == LibRdKafka.ErrAssignPartitions)
        {
            OnAssign(rk, partitions, list, cooperative);
        }
        else if (err == LibRdKafka.ErrRevokePartitions)
        {
            OnRevoke(rk, partitions, list, cooperative);
        }
        else
        {
            // A rebalance error: librdkafka asks the application to drop its assignment.
            _ = LibRdKafka.Unassign(rk); // the rebalance error itself is reported below
            lock (_assignment)
            {
                _assignment.Clear();
                _assignmentSource = AssignmentSource.None;
            }

            RaiseError((KafkaErrorCode)err, $"Rebalance failed: {LibRdKafka.ErrorText(err)}", fatal: false);
        }
    }

    private void OnAssign(nint rk, SafeTopicPartitionListHandle partitions, TopicPartition[] list, bool cooperative)
    {
        int assignErr = 0;
        if (cooperative)
        {
            nint error = LibRdKafka.IncrementalAssign(rk, partitions);
            if (error != 0)
            {
                (assignErr, string text) = LibRdKafka.TakeError(error);
                RaiseError((KafkaErrorCode)assignErr, $"Could not take the assigned partitions: {text}", fatal: false);
            }
        }
        else
        {
            assignErr = LibRdKafka.Assign(rk, partitions);
            if (assignErr != 0)
            {
                RaiseError((KafkaErrorCode)assignErr, $"Could not take the assigned partitions: {LibRdKafka.ErrorText(assignErr)}", fatal: false);
            }
        }

        if (assignErr == 0)
        {
            lock (_assignment)
            {
                if (!cooperative)
                {
                    _assignment.Clear();
                }

                _assignment.UnionWith(list);
                _assignmentSource = _assignment.Count > 0 ? AssignmentSource.Group : AssignmentSource.None;
            }
        }

        ConsumerLog.Assigned(_logger, GroupName, list.Length, cooperative);
        Raise(PartitionsAssigned, new PartitionsAssignedEventArgs(list, cooperative));
    }

    /// <summary>
    /// Revoked by a rebalance: the application may still commit. Lost (session timeout, fenced, max poll interval
    /// exceeded): they may already be another member's, so the pending store of the last batch is dropped (librdkafka
    /// would refuse to commit it anyway) and <see cref="PartitionsLost"/> is raised instead.
    /// </summary>
    private void OnRevoke(nint rk, SafeTopicPartitionListHandle partitions, TopicPartition[] list, bool cooperative)
    {
        bool lost = LibRdKafka.AssignmentLost(rk) != 0;
        try
        {
            if (lost)
            {
                ConsumerLog.Lost(_logger, GroupName, list.Length);
                DropPendingStores();
                Raise(PartitionsLost, new PartitionsLostEventArgs(list, cooperative));
            }
            else
            {
                ConsumerLog.Revoked(_logger, GroupName, list.Length);
                Raise(PartitionsRevoked, new PartitionsRevokedEventArgs(list, cooperative));
            }
        }
        finally
        {
            if (cooperative)
            {
                nint error = LibRdKafka.IncrementalUnassign(rk, partitions);
                if (error != 0)
                {
                    (int code, string text) = LibRdKafka.TakeError(error);
                    RaiseError((KafkaErrorCode)code, $"Could not give up the revoked partitions: {text}", fatal: false);
                }
            }
            else
            {
                int unassignErr = LibRdKafka.Unassign(rk);
                if (unassignErr != 0)
                {
                    RaiseError((KafkaErrorCode)unassignErr, $"Could not give up the revoked partitions: {LibRdKafka.ErrorText(unassignErr)}", fatal: false);
                }
            }

            lock (_assignment)
            {
                if (cooperative)
                {
                    _assignment.ExceptWith(list);
                }
                else
                {
                    _assignment.Clear();
                }

                _assignmentSource = _assignment.Count > 0 ? AssignmentSource.Group : AssignmentSource.None;
            }
        }
    }
}

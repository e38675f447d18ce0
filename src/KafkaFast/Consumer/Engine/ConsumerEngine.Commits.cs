using KafkaFast.Native;

namespace KafkaFast.Consumer.Engine;

/// <summary>
/// Commits: synchronous ones wait on the calling thread (librdkafka calls back before returning); async ones are
/// ops on <see cref="_commitQueue"/>, served on the thread pool when librdkafka signals the queue.
/// </summary>
internal sealed partial class ConsumerEngine
{
    /// <summary>Async commits in flight by id (the opaque of their commit op). Lock: itself.</summary>
    private readonly Dictionary<long, TaskCompletionSource<IReadOnlyList<TopicPartitionOffset>>> _pendingCommits = [];
    private long _nextCommitId;
    private int _commitDrainScheduled;

    /// <summary>Commits the stored offsets (null) or <paramref name="offsets"/>, waiting for the broker.</summary>
    internal IReadOnlyList<TopicPartitionOffset> Commit(SafeTopicPartitionListHandle? offsets, bool requireAssignment)
    {
        ThrowIfNothingAssigned(requireAssignment);
        var result = new CommitResult(GroupName);
        using var lease = Lease();
        int err = ConsumerCallbacks.CommitAndWait(lease.Pointer, offsets, result);
        if (!result.IsCompleted)
        {
            result.Complete(err, null);
        }

        return result.GetResult();
    }

    internal IReadOnlyList<TopicPartitionOffset> Commit(ConsumedBatch batch)
    {
        StoreOffsets(batch);
        using SafeTopicPartitionListHandle offsets = CommitOffsetsOf(batch);
        return Commit(offsets, requireAssignment: true);
    }

    internal IReadOnlyList<TopicPartitionOffset> Commit(ConsumedMessage message)
    {
        StoreOffset(message);
        using SafeTopicPartitionListHandle offsets = CommitOffsetOf(message);
        return Commit(offsets, requireAssignment: true);
    }

    internal IReadOnlyList<TopicPartitionOffset> Commit(IEnumerable<TopicPartitionOffset> offsets)
    {
        using SafeTopicPartitionListHandle list = ExplicitOffsets(offsets);
        return Commit(list, requireAssignment: false);
    }

    internal Task<IReadOnlyList<TopicPartitionOffset>> CommitAsync(ConsumedBatch batch)
    {
        StoreOffsets(batch);
        using SafeTopicPartitionListHandle offsets = CommitOffsetsOf(batch);
        return CommitAsync(offsets, requireAssignment: true);
    }

    internal Task<IReadOnlyList<TopicPartitionOffset>> CommitAsync(IEnumerable<TopicPartitionOffset> offsets)
    {
        using SafeTopicPartitionListHandle list = ExplicitOffsets(offsets);
        return CommitAsync(list, requireAssignment: false);
    }

    /// <summary>Commits the stored offsets (null) or <paramref name="offsets"/> without waiting; the task completes with the broker's answer.</summary>
    internal Task<IReadOnlyList<TopicPartitionOffset>> CommitAsync(SafeTopicPartitionListHandle? offsets, bool requireAssignment)
    {
        ThrowIfNothingAssigned(requireAssignment);
        var completion = new TaskCompletionSource<IReadOnlyList<TopicPartitionOffset>>(TaskCreationOptions.RunContinuationsAsynchronously);
        long id = Interlocked.Increment(ref _nextCommitId);
        lock (_pendingCommits)
        {
            _pendingCommits.Add(id, completion);
        }

        try
        {
            using var lease = Lease();
            using var queue = new HandleLease(_commitQueue);
            // The result is an op on _commitQueue: OnCommitQueueReady schedules DrainCommitQueue, which serves it
            // as OnCommitCompleted with this id.
            int err = ConsumerCallbacks.CommitToQueue(lease.Pointer, offsets, queue.Pointer, id);
            if (err != 0)
            {
                CompleteCommit(id, err, null);
            }
        }
        catch
        {
            lock (_pendingCommits)
            {
                _pendingCommits.Remove(id);
            }

            throw;
        }

        return completion.Task;
    }

    private static SafeTopicPartitionListHandle ExplicitOffsets(IEnumerable<TopicPartitionOffset> offsets)
    {
        SafeTopicPartitionListHandle list = TopicPartitionLists.From(offsets, nameof(offsets));
        if (list.Count == 0)
        {
            list.Dispose();
            throw new ArgumentException("No offsets to commit.", nameof(offsets));
        }

        return list;
    }

    /// <summary>The batch's offsets to commit, with leader epochs, as a librdkafka list (copied by the commit call).</summary>
    private SafeTopicPartitionListHandle CommitOffsetsOf(ConsumedBatch batch)
    {
        lock (_storeLock)
        {
            batch.ThrowIfDisposed();
            int ends = batch.CollectPartitionEnds();
            var list = SafeTopicPartitionListHandle.Create(ends);
            SafeMessageBatchHandle messages = batch.Messages;
            foreach (int index in batch.PartitionEnds(ends))
            {
                AddCommitOffset(list, batch, messages.MessageAt(index));
            }

            return list;
        }
    }

    private SafeTopicPartitionListHandle CommitOffsetOf(ConsumedMessage message)
    {
        var list = SafeTopicPartitionListHandle.Create(1);
        lock (_storeLock) // see OnBatchDisposing
        {
            AddCommitOffset(list, message.Batch, message.Native);
        }

        return list;
    }

    /// <summary>The offset to commit after <paramref name="message"/>: its offset + 1, with its leader epoch.</summary>
    private static void AddCommitOffset(SafeTopicPartitionListHandle list, ConsumedBatch batch, nint message) =>
        list.Add(batch.TopicOf(RdKafkaMessageFields.Topic(message)), RdKafkaMessageFields.Partition(message),
            RdKafkaMessageFields.Offset(message) + 1, RdKafkaMessageFields.LeaderEpoch(message));

    private void ThrowIfNothingAssigned(bool requireAssignment)
    {
        ThrowIfDisposed();
        RequireGroup("Commit");
        if (requireAssignment && !HasAssignment)
        {
            throw new InvalidOperationException(
                $"Nothing to commit: no partitions are assigned to this consumer (group '{GroupName}'). Stored offsets are committed for " +
                "assigned partitions, which arrive during consume calls after Subscribe. To commit chosen offsets anyway use Commit(offsets).");
        }
    }

    /// <summary>An async commit's result (DrainCommitQueue, or at once when librdkafka refused it).</summary>
    private void CompleteCommit(long id, int err, SafeTopicPartitionListHandle? offsets)
    {
        TaskCompletionSource<IReadOnlyList<TopicPartitionOffset>>? completion;
        lock (_pendingCommits)
        {
            if (!_pendingCommits.Remove(id, out completion))
            {
                return;
            }
        }

        var result = new CommitResult(GroupName);
        result.Complete(err, offsets);
        if (result.Error is { } error)
        {
            completion.TrySetException(error);
        }
        else
        {
            completion.TrySetResult(result.GetResult());
        }
    }

    void IConsumerCallbackTarget.OnCommitCompleted(long id, int err, SafeTopicPartitionListHandle? offsets) => CompleteCommit(id, err, offsets);

    void IConsumerCallbackTarget.OnCommitQueueReady()
    {
        if (Interlocked.Exchange(ref _commitDrainScheduled, 1) == 0)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static engine => engine.DrainCommitQueue(), this, preferLocal: false);
        }
    }

    /// <summary>Serves async commit results (thread pool, or Close). Safe to run concurrently and after close.</summary>
    private void DrainCommitQueue()
    {
        Volatile.Write(ref _commitDrainScheduled, 0);
        bool added = false;
        try
        {
            _commitQueue.DangerousAddRef(ref added);
            nint queue = _commitQueue.DangerousGetHandle();
            while (LibRdKafka.QueuePollCallback(queue, 0) > 0)
            {
            }
        }
        catch (ObjectDisposedException)
        {
            // Closed: FailPendingCommits took care of the rest.
        }
        finally
        {
            if (added)
            {
                _commitQueue.DangerousRelease();
            }
        }
    }

    private void FailPendingCommits()
    {
        TaskCompletionSource<IReadOnlyList<TopicPartitionOffset>>[] pending;
        lock (_pendingCommits)
        {
            pending = [.. _pendingCommits.Values];
            _pendingCommits.Clear();
        }

        foreach (var completion in pending)
        {
            completion.TrySetException(new KafkaException(KafkaErrorCode.Destroy, "The consumer was closed before the commit completed."));
        }
    }
}

using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using KafkaFast.Configuration;
using KafkaFast.Native;

namespace KafkaFast.Consumer;

public sealed unsafe partial class KafkaConsumer
{
    private const int SeekTimeoutMs = 30_000;

    internal StrongBox<long> LiveMessages => _liveMessages;

    internal TopicNameCache TopicNames => _topicNames;

    // ---------------------------------------------------------------- storing

    /// <summary>
    /// Stores <paramref name="message"/>'s offset + 1 (with its leader epoch) for the next commit of its partition.
    /// The stored offset is replaced as given, but commits of stored offsets only move forward: a stored offset at or
    /// behind the committed one is not committed (use <see cref="Commit(IEnumerable{TopicPartitionOffset})"/> to rewind).
    /// </summary>
    /// <exception cref="KafkaException">The partition is no longer assigned (<see cref="KafkaErrorCode.State"/>), or librdkafka refused.</exception>
    public void StoreOffset(ConsumedMessage message)
    {
        RequireGroup("StoreOffset");
        using var lease = Lease();
        int code = 0;
        string? failure = null;
        lock (_storeLock) // a concurrent Dispose of the batch waits (or has made the view stale): see OnBatchDisposing
        {
            RdKafkaMessage* native = message.Native;
            CheckOwner(message.Batch);
            nint error = LibRdKafka.OffsetStoreMessage(native);
            if (error != 0)
            {
                (code, string text) = LibRdKafka.TakeError(error);
                failure = $"Could not store offset {native->Offset + 1} for {message.Batch.TopicOf(native->Topic)} [{native->Partition}]: {text}";
            }
        }

        if (failure is not null)
        {
            throw new KafkaException((KafkaErrorCode)code, failure);
        }
    }

    /// <summary>Stores the batch's offsets: for each partition in it, the highest offset + 1 (with its leader epoch).</summary>
    /// <exception cref="KafkaException">Some partitions are no longer assigned (<see cref="KafkaErrorCode.State"/>); the others were stored.</exception>
    public void StoreOffsets(ConsumedBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        RequireGroup("StoreOffsets");
        CheckOwner(batch);
        batch.ThrowIfDisposed();
        using var lease = Lease();
        StoreFailures failures = default;
        lock (_storeLock)
        {
            batch.ThrowIfDisposed(); // under the lock: a concurrent Dispose cannot free the messages meanwhile
            StoreBatchUnsynchronized(batch, ref failures, ignoreUnassigned: false);
            if (_unstoredBatch == batch)
            {
                _unstoredBatch = null;
            }
        }

        failures.ThrowIfAny("store the offsets of a batch");
    }

    /// <summary>Stores explicit offsets (the offset of the next message to read) for the next commit.</summary>
    /// <exception cref="KafkaException">A partition is not assigned, or librdkafka refused an offset.</exception>
    public void StoreOffsets(IEnumerable<TopicPartitionOffset> offsets)
    {
        RequireGroup("StoreOffsets");
        using var list = TopicPartitionLists.From(offsets, nameof(offsets));
        using var lease = Lease();
        int err = LibRdKafka.OffsetsStore(lease.Pointer, list.List);
        ThrowOnElementErrors(list, "store offsets");
        ThrowIfError(err, "store offsets");
    }

    /// <summary>Called with <see cref="_storeLock"/> held: stores the last offset of each partition of the batch.</summary>
    private void StoreBatchUnsynchronized(ConsumedBatch batch, ref StoreFailures failures, bool ignoreUnassigned)
    {
        Debug.Assert(_storeLock.IsHeldByCurrentThread, "the caller holds the store lock");
        int ends = batch.CollectPartitionEnds();
        RdKafkaMessage** slots = batch.Messages.Slots;
        foreach (int index in batch.PartitionEnds(ends))
        {
            StoreMessageUnsynchronized(slots[index], ref failures, ignoreUnassigned);
        }
    }

    /// <summary>Called with <see cref="_storeLock"/> held: stores the message's offset + 1 (the message may be a retained one).</summary>
    private void StoreMessageUnsynchronized(RdKafkaMessage* message, ref StoreFailures failures, bool ignoreUnassigned)
    {
        Debug.Assert(_storeLock.IsHeldByCurrentThread, "the caller holds the store lock");
        nint error = LibRdKafka.OffsetStoreMessage(message);
        if (error == 0)
        {
            return;
        }

        (int code, string text) = LibRdKafka.TakeError(error);
        if (code == LibRdKafka.ErrState && ignoreUnassigned)
        {
            return; // revoked meanwhile: the new owner reads it again (at-least-once)
        }

        failures.Add(code, $"{_topicNames.Get(message->Topic)} [{message->Partition}] @{message->Offset + 1}: {text}");
    }

    /// <summary>
    /// CommitMode.Auto, at the start of a consume call: the application came back, so the previous batch is
    /// processed. Stores its offsets from the batch if it is still alive, else from the messages kept at its disposal.
    /// Partitions revoked in between are skipped (their new owner re-reads them).
    /// </summary>
    private void StoreUnstoredOffsets()
    {
        StoreFailures failures = default;
        lock (_storeLock)
        {
            if (_unstoredBatch is { } batch)
            {
                // Same generation: not yet invalidated by Dispose (which needs this lock), so its messages are alive
                // even if a Dispose on another thread has already begun.
                if (batch.Generation == _unstoredGeneration)
                {
                    StoreBatchUnsynchronized(batch, ref failures, ignoreUnassigned: true);
                }

                _unstoredBatch = null;
            }

            if (_retained.Count > 0)
            {
                RdKafkaMessage** slots = _retained.Slots;
                for (int i = 0; i < _retained.Count; i++)
                {
                    StoreMessageUnsynchronized(slots[i], ref failures, ignoreUnassigned: true);
                }

                _retained.DestroyMessages();
            }
        }

        if (failures.Count > 0)
        {
            RaiseError((KafkaErrorCode)failures.FirstCode, $"Could not store offsets of the previous batch: {failures.Text}", fatal: false);
        }
    }

    /// <summary>
    /// Any thread, when a batch is disposed, before it releases its messages. Under the store lock it makes the batch's
    /// views stale, so a store or commit of this batch on another thread either completed before or throws
    /// ObjectDisposedException, and never touches freed messages. In CommitMode.Auto, if the batch is the one whose
    /// offsets the next consume call stores, its last message per partition is moved to <see cref="_retained"/> (kept
    /// alive) so that call can still store exact offsets with their leader epochs.
    /// </summary>
    internal void OnBatchDisposing(ConsumedBatch batch)
    {
        lock (_storeLock)
        {
            bool retain = _commitMode == CommitMode.Auto && _unstoredBatch == batch && _unstoredGeneration == batch.Generation;
            if (!retain)
            {
                batch.Invalidate();
                return;
            }

            _unstoredBatch = null;
            int ends = batch.CollectPartitionEnds();
            SafeMessageBatchHandle messages = batch.Messages;
            foreach (int index in batch.PartitionEnds(ends))
            {
                _retained.Append(messages.Slots[index]);
                messages.Forget(index);
            }

            batch.Invalidate();
        }
    }

    // ---------------------------------------------------------------- committing

    /// <summary>
    /// Commits the stored offsets of the assigned partitions that are ahead of their committed offsets, and waits for
    /// the broker. Returns what was committed (empty when nothing new was stored).
    /// </summary>
    /// <exception cref="InvalidOperationException">No partitions are assigned.</exception>
    /// <exception cref="KafkaException">The commit failed (the message lists the partitions and reasons).</exception>
    public IReadOnlyList<TopicPartitionOffset> Commit() => CommitCore(null, requireAssignment: true);

    /// <summary>
    /// Stores the batch's offsets (<see cref="StoreOffsets(ConsumedBatch)"/>) and commits exactly those (per partition
    /// in the batch, its highest offset + 1, with leader epoch), waiting for the broker. Returns them.
    /// </summary>
    public IReadOnlyList<TopicPartitionOffset> Commit(ConsumedBatch batch)
    {
        StoreOffsets(batch);
        using SafeTopicPartitionListHandle offsets = CommitOffsetsOf(batch);
        return CommitCore(offsets.List, requireAssignment: true);
    }

    /// <summary>Stores the message's offset + 1 (<see cref="StoreOffset"/>) and commits exactly that, waiting for the broker.</summary>
    public IReadOnlyList<TopicPartitionOffset> Commit(ConsumedMessage message)
    {
        StoreOffset(message);
        using SafeTopicPartitionListHandle offsets = CommitOffsetOf(message);
        return CommitCore(offsets.List, requireAssignment: true);
    }

    /// <summary>Commits explicit offsets (the next offset to read per partition), waiting for the broker.</summary>
    public IReadOnlyList<TopicPartitionOffset> Commit(IEnumerable<TopicPartitionOffset> offsets)
    {
        using var list = TopicPartitionLists.From(offsets, nameof(offsets));
        if (list.Count == 0)
        {
            throw new ArgumentException("No offsets to commit.", nameof(offsets));
        }

        return CommitCore(list.List, requireAssignment: false);
    }

    /// <summary>Commits the stored offsets without blocking; the task completes when the broker answers.</summary>
    /// <exception cref="InvalidOperationException">No partitions are assigned.</exception>
    public Task<IReadOnlyList<TopicPartitionOffset>> CommitAsync() => CommitAsyncCore(null, requireAssignment: true);

    /// <summary>Stores the batch's offsets and commits exactly those without blocking (see <see cref="Commit(ConsumedBatch)"/>).</summary>
    public Task<IReadOnlyList<TopicPartitionOffset>> CommitAsync(ConsumedBatch batch)
    {
        StoreOffsets(batch);
        using SafeTopicPartitionListHandle offsets = CommitOffsetsOf(batch);
        return CommitAsyncCore(offsets.List, requireAssignment: true);
    }

    /// <summary>The batch's offsets to commit, with leader epochs, as a librdkafka list (copied by the commit call).</summary>
    private SafeTopicPartitionListHandle CommitOffsetsOf(ConsumedBatch batch)
    {
        lock (_storeLock)
        {
            batch.ThrowIfDisposed();
            int ends = batch.CollectPartitionEnds();
            var list = SafeTopicPartitionListHandle.Create(ends);
            RdKafkaMessage** slots = batch.Messages.Slots;
            foreach (int index in batch.PartitionEnds(ends))
            {
                AddCommitOffset(list, batch, slots[index]);
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

    private static void AddCommitOffset(SafeTopicPartitionListHandle list, ConsumedBatch batch, RdKafkaMessage* message)
    {
        RdKafkaTopicPartition* element = list.Add(batch.TopicOf(message->Topic), message->Partition);
        element->Offset = message->Offset + 1;
        LibRdKafka.TopicPartitionSetLeaderEpoch(element, LibRdKafka.MessageLeaderEpoch(message));
    }

    /// <summary>Commits explicit offsets without blocking.</summary>
    public Task<IReadOnlyList<TopicPartitionOffset>> CommitAsync(IEnumerable<TopicPartitionOffset> offsets)
    {
        using var list = TopicPartitionLists.From(offsets, nameof(offsets));
        if (list.Count == 0)
        {
            throw new ArgumentException("No offsets to commit.", nameof(offsets));
        }

        return CommitAsyncCore(list.List, requireAssignment: false);
    }

    private IReadOnlyList<TopicPartitionOffset> CommitCore(RdKafkaTopicPartitionList* offsets, bool requireAssignment)
    {
        ThrowIfNothingAssigned(requireAssignment);
        var result = new CommitResult();
        GCHandle handle = GCHandle.Alloc(result);
        try
        {
            using var lease = Lease();
            // No queue: librdkafka waits for the broker and calls OnSyncCommitNative on this thread before returning.
            int err = LibRdKafka.CommitQueue(lease.Pointer, offsets, 0, &OnSyncCommitNative, GCHandle.ToIntPtr(handle));
            if (!result.IsCompleted)
            {
                result.Complete(err, null, GroupName);
            }
        }
        finally
        {
            handle.Free();
        }

        return result.GetResult();
    }

    private Task<IReadOnlyList<TopicPartitionOffset>> CommitAsyncCore(RdKafkaTopicPartitionList* offsets, bool requireAssignment)
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
            // The result is an op on _commitQueue; OnCommitQueueReadyNative schedules DrainCommitQueue, which calls
            // OnAsyncCommitNative with this id.
            int err = LibRdKafka.CommitQueue(lease.Pointer, offsets, queue.Pointer, &OnAsyncCommitNative, (nint)id);
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

    internal void CompleteCommit(long id, int err, RdKafkaTopicPartitionList* offsets)
    {
        TaskCompletionSource<IReadOnlyList<TopicPartitionOffset>>? completion;
        lock (_pendingCommits)
        {
            if (!_pendingCommits.Remove(id, out completion))
            {
                return;
            }
        }

        var result = new CommitResult();
        result.Complete(err, offsets, GroupName);
        if (result.Error is { } error)
        {
            completion.TrySetException(error);
        }
        else
        {
            completion.TrySetResult(result.GetResult());
        }
    }

    /// <summary>Serves async commit results (thread pool, or Close). Safe to run concurrently and after close.</summary>
    internal void DrainCommitQueue()
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

    private void ScheduleCommitDrain()
    {
        if (Interlocked.Exchange(ref _commitDrainScheduled, 1) == 0)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static consumer => consumer.DrainCommitQueue(), this, preferLocal: false);
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

    // ---------------------------------------------------------------- positions

    /// <summary>
    /// Moves the fetch position of assigned partitions: the next batches continue from these offsets (or
    /// <see cref="KafkaOffset.Beginning"/>/<see cref="KafkaOffset.End"/>). Messages already fetched past the old
    /// position are discarded.
    /// </summary>
    /// <exception cref="KafkaException">A partition is not assigned, or the seek failed.</exception>
    public void Seek(IEnumerable<TopicPartitionOffset> positions)
    {
        using var list = TopicPartitionLists.From(positions, nameof(positions));
        using var lease = Lease();
        ThrowIfError(LibRdKafka.SeekPartitions(lease.Pointer, list.List, SeekTimeoutMs), "seek");
        ThrowOnElementErrors(list, "seek");
    }

    /// <summary>Moves the fetch position of one assigned partition (see <see cref="Seek(IEnumerable{TopicPartitionOffset})"/>).</summary>
    public void Seek(TopicPartitionOffset position) => Seek([position]);

    /// <summary>Stops fetching from assigned partitions until <see cref="Resume"/> (membership is kept).</summary>
    public void Pause(IEnumerable<TopicPartition> partitions)
    {
        using var list = TopicPartitionLists.From(partitions, nameof(partitions));
        using var lease = Lease();
        ThrowIfError(LibRdKafka.PausePartitions(lease.Pointer, list.List), "pause");
        ThrowOnElementErrors(list, "pause");
    }

    /// <summary>Resumes fetching from paused partitions.</summary>
    public void Resume(IEnumerable<TopicPartition> partitions)
    {
        using var list = TopicPartitionLists.From(partitions, nameof(partitions));
        using var lease = Lease();
        ThrowIfError(LibRdKafka.ResumePartitions(lease.Pointer, list.List), "resume");
        ThrowOnElementErrors(list, "resume");
    }

    /// <summary>The group's committed offsets for <paramref name="partitions"/> (<see cref="KafkaOffset.Unset"/> where none), asked of the broker.</summary>
    public IReadOnlyList<TopicPartitionOffset> Committed(IEnumerable<TopicPartition> partitions, TimeSpan timeout)
    {
        int timeoutMs = ToTimeoutMs(timeout, nameof(timeout));
        RequireGroup("Committed");
        using var list = TopicPartitionLists.From(partitions, nameof(partitions));
        using var lease = Lease();
        ThrowIfError(LibRdKafka.Committed(lease.Pointer, list.List, timeoutMs), "read committed offsets");
        ThrowOnElementErrors(list, "read committed offsets");
        return TopicPartitionLists.ToOffsets(list.List);
    }

    /// <summary>The committed offsets of the current assignment.</summary>
    public IReadOnlyList<TopicPartitionOffset> Committed(TimeSpan timeout) => Committed(Assignment, timeout);

    /// <summary>The consumer's position in each partition: the offset of the next message it will return (<see cref="KafkaOffset.Unset"/> when none yet).</summary>
    public IReadOnlyList<TopicPartitionOffset> Position(IEnumerable<TopicPartition> partitions)
    {
        using var list = TopicPartitionLists.From(partitions, nameof(partitions));
        using var lease = Lease();
        ThrowIfError(LibRdKafka.Position(lease.Pointer, list.List), "read positions");
        return TopicPartitionLists.ToOffsets(list.List);
    }

    /// <summary>Asks the partition's leader for its low and high watermarks.</summary>
    public WatermarkOffsets QueryWatermarkOffsets(TopicPartition partition, TimeSpan timeout)
    {
        int timeoutMs = ToTimeoutMs(timeout, nameof(timeout));
        TopicName.Validate(partition.Topic, nameof(partition));
        Span<byte> topic = stackalloc byte[Encoding.UTF8.GetMaxByteCount(partition.Topic.Length) + 1];
        topic[Encoding.UTF8.GetBytes(partition.Topic, topic)] = 0;
        long low, high;
        using var lease = Lease();
        fixed (byte* name = topic)
        {
            ThrowIfError(LibRdKafka.QueryWatermarkOffsets(lease.Pointer, name, partition.Partition, &low, &high, timeoutMs), $"query watermarks of {partition}");
        }

        return new WatermarkOffsets(low, high);
    }

    /// <summary>The watermarks last reported by fetch responses (no request); <see cref="KafkaOffset.Unset"/> before the first fetch.</summary>
    public WatermarkOffsets GetWatermarkOffsets(TopicPartition partition)
    {
        TopicName.Validate(partition.Topic, nameof(partition));
        Span<byte> topic = stackalloc byte[Encoding.UTF8.GetMaxByteCount(partition.Topic.Length) + 1];
        topic[Encoding.UTF8.GetBytes(partition.Topic, topic)] = 0;
        long low, high;
        using var lease = Lease();
        fixed (byte* name = topic)
        {
            ThrowIfError(LibRdKafka.GetWatermarkOffsets(lease.Pointer, name, partition.Partition, &low, &high), $"read watermarks of {partition}");
        }

        return new WatermarkOffsets(low, high);
    }

    // ---------------------------------------------------------------- helpers

    private void CheckOwner(ConsumedBatch batch)
    {
        if (batch.Consumer != this)
        {
            throw new ArgumentException("The batch was returned by another consumer.", nameof(batch));
        }
    }

    private static int ToTimeoutMs(TimeSpan timeout, string paramName)
    {
        if (timeout == Timeout.InfiniteTimeSpan)
        {
            return -1;
        }

        if (timeout < TimeSpan.Zero || timeout.TotalMilliseconds > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(paramName, timeout, "The timeout must be between 0 and int.MaxValue ms, or Timeout.InfiniteTimeSpan.");
        }

        return (int)Math.Ceiling(timeout.TotalMilliseconds);
    }

    private static void ThrowOnElementErrors(SafeTopicPartitionListHandle list, string what)
    {
        StoreFailures failures = default;
        for (int i = 0; i < list.Count; i++)
        {
            ref RdKafkaTopicPartition e = ref list[i];
            if (e.Err != 0)
            {
                failures.Add(e.Err, $"{SafeTopicPartitionListHandle.TopicOf(e)} [{e.Partition}]: {LibRdKafka.ErrorText(e.Err)}");
            }
        }

        failures.ThrowIfAny(what);
    }

    /// <summary>Per-partition failures gathered into one exception (allocates only when something failed).</summary>
    private struct StoreFailures
    {
        private StringBuilder? _text;

        internal int Count { get; private set; }

        internal int FirstCode { get; private set; }

        internal readonly string Text => _text?.ToString() ?? string.Empty;

        internal void Add(int code, string detail)
        {
            if (Count == 0)
            {
                FirstCode = code;
                _text = new StringBuilder(detail);
            }
            else
            {
                _text!.Append("; ").Append(detail);
            }

            Count++;
        }

        internal readonly void ThrowIfAny(string what)
        {
            if (Count > 0)
            {
                throw new KafkaException((KafkaErrorCode)FirstCode, $"Could not {what} for {Count} partition(s): {Text}");
            }
        }
    }

    /// <summary>The outcome of one commit, filled by a commit callback.</summary>
    private sealed class CommitResult
    {
        private IReadOnlyList<TopicPartitionOffset> _committed = [];

        internal bool IsCompleted { get; private set; }

        internal KafkaException? Error { get; private set; }

        /// <summary>__NO_OFFSET (nothing new stored) is success with nothing committed.</summary>
        internal void Complete(int err, RdKafkaTopicPartitionList* offsets, string groupId)
        {
            IsCompleted = true;
            if (err == LibRdKafka.ErrNoOffset)
            {
                return;
            }

            TopicPartitionOffset[] all = TopicPartitionLists.ToOffsets(offsets);
            var committed = new List<TopicPartitionOffset>(all.Length);
            StoreFailures failures = default;
            for (int i = 0; i < all.Length; i++)
            {
                int elementErr = offsets->Elements[i].Err;
                if (elementErr == 0)
                {
                    if (all[i].Offset >= 0)
                    {
                        committed.Add(all[i]); // partitions with nothing stored are listed with offset -1001
                    }
                }
                else
                {
                    failures.Add(elementErr, $"{all[i]}: {LibRdKafka.ErrorText(elementErr)}");
                }
            }

            _committed = committed;
            if (err != 0)
            {
                Error = new KafkaException((KafkaErrorCode)err,
                    $"Commit for group '{groupId}' failed: {LibRdKafka.ErrorText(err)}{(failures.Count > 0 ? $" ({failures.Text})" : string.Empty)}");
            }
            else if (failures.Count > 0)
            {
                Error = new KafkaException((KafkaErrorCode)failures.FirstCode,
                    $"Commit for group '{groupId}' failed for {failures.Count} of {all.Length} partition(s): {failures.Text}");
            }
        }

        internal IReadOnlyList<TopicPartitionOffset> GetResult() => Error is { } error ? throw error : _committed;
    }
}

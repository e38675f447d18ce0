using System.Diagnostics;
using KafkaFast.Native;

namespace KafkaFast.Consumer.Engine;

/// <summary>
/// Storing offsets (what the next commit sends): per message, per batch, explicit, and CommitMode.Auto's hand-off,
/// where the next consume call stores the previous batch, even if the application disposed it meanwhile.
/// </summary>
internal sealed partial class ConsumerEngine
{
    /// <summary>Guards <see cref="_unstoredBatch"/>, <see cref="_unstoredGeneration"/>, <see cref="_retained"/> and every batch's partition-end scratch.</summary>
    private readonly Lock _storeLock = new();

    /// <summary>CommitMode.Auto: the last batch returned, whose offsets are stored when the next consume call starts.</summary>
    private ConsumedBatch? _unstoredBatch;

    /// <summary>The generation <see cref="_unstoredBatch"/> had when it was returned (it changes when the batch is disposed).</summary>
    private int _unstoredGeneration;

    /// <summary>
    /// CommitMode.Auto: when the unstored batch is disposed before the next consume call, its last message per
    /// partition is moved here (kept alive) so that call can still store exact offsets and leader epochs.
    /// </summary>
    private readonly SafeMessageBatchHandle _retained;

    /// <summary>Guards the store hand-off and every batch's partition-end scratch (see <see cref="ConsumedBatch.CollectPartitionEnds"/>).</summary>
    internal Lock StoreLock => _storeLock;

    internal void StoreOffset(ConsumedMessage message)
    {
        RequireGroup("StoreOffset");
        using var lease = Lease();
        int code = 0;
        string? failure = null;
        lock (_storeLock) // a concurrent Dispose of the batch waits (or has made the view stale): see OnBatchDisposing
        {
            nint native = message.Native;
            CheckOwner(message.Batch);
            nint error = LibRdKafka.OffsetStoreMessage(native);
            if (error != 0)
            {
                (code, string text) = LibRdKafka.TakeError(error);
                failure = $"Could not store offset {RdKafkaMessageFields.Offset(native) + 1} for {message.Batch.TopicOf(RdKafkaMessageFields.Topic(native))} [{RdKafkaMessageFields.Partition(native)}]: {text}";
            }
        }

        if (failure is not null)
        {
            throw new KafkaException((KafkaErrorCode)code, failure);
        }
    }

    internal void StoreOffsets(ConsumedBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        RequireGroup("StoreOffsets");
        CheckOwner(batch);
        batch.ThrowIfDisposed();
        using var lease = Lease();
        PartitionFailures failures = default;
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

    internal void StoreOffsets(IEnumerable<TopicPartitionOffset> offsets)
    {
        RequireGroup("StoreOffsets");
        using var list = TopicPartitionLists.From(offsets, nameof(offsets));
        using var lease = Lease();
        int err = LibRdKafka.OffsetsStore(lease.Pointer, list);
        PartitionFailures.ThrowOnElementErrors(list, "store offsets");
        ThrowIfError(err, "store offsets");
    }

    /// <summary>Called with <see cref="_storeLock"/> held: stores the last offset of each partition of the batch.</summary>
    private void StoreBatchUnsynchronized(ConsumedBatch batch, ref PartitionFailures failures, bool ignoreUnassigned)
    {
        Debug.Assert(_storeLock.IsHeldByCurrentThread, "the caller holds the store lock");
        int ends = batch.CollectPartitionEnds();
        SafeMessageBatchHandle messages = batch.Messages;
        foreach (int index in batch.PartitionEnds(ends))
        {
            StoreMessageUnsynchronized(messages.MessageAt(index), ref failures, ignoreUnassigned);
        }
    }

    /// <summary>Called with <see cref="_storeLock"/> held: stores the message's offset + 1 (the message may be a retained one).</summary>
    private void StoreMessageUnsynchronized(nint message, ref PartitionFailures failures, bool ignoreUnassigned)
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

        failures.Add(code, $"{TopicNames.Get(RdKafkaMessageFields.Topic(message))} [{RdKafkaMessageFields.Partition(message)}] @{RdKafkaMessageFields.Offset(message) + 1}: {text}");
    }

    /// <summary>
    /// CommitMode.Auto, at the start of a consume call: the application came back, so the previous batch is
    /// processed. Stores its offsets from the batch if it is still alive, else from the messages kept at its disposal.
    /// Partitions revoked in between are skipped (their new owner re-reads them).
    /// </summary>
    private void StoreUnstoredOffsets()
    {
        PartitionFailures failures = default;
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

            StoreRetainedUnsynchronized(ref failures);
        }

        if (failures.Count > 0)
        {
            RaiseError((KafkaErrorCode)failures.FirstCode, $"Could not store offsets of the previous batch: {failures.Text}", fatal: false);
        }
    }

    /// <summary>
    /// CommitMode.Auto, an explicit Close: the last batch returned, if the application has disposed it (its last
    /// messages are retained), was processed; store it so the final commit includes it. A batch still held is not.
    /// </summary>
    private void StoreDisposedLastBatch()
    {
        PartitionFailures failures = default;
        lock (_storeLock)
        {
            StoreRetainedUnsynchronized(ref failures);
        }

        if (failures.Count > 0)
        {
            RaiseError((KafkaErrorCode)failures.FirstCode, $"Could not store offsets of the last batch while closing: {failures.Text}", fatal: false);
        }
    }

    /// <summary>Called with <see cref="_storeLock"/> held: stores the retained messages' offsets, then releases them.</summary>
    private void StoreRetainedUnsynchronized(ref PartitionFailures failures)
    {
        Debug.Assert(_storeLock.IsHeldByCurrentThread, "the caller holds the store lock");
        for (int i = 0; i < _retained.Count; i++)
        {
            StoreMessageUnsynchronized(_retained.MessageAt(i), ref failures, ignoreUnassigned: true);
        }

        _retained.DestroyMessages();
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
            if (retain)
            {
                _unstoredBatch = null;
                int ends = batch.CollectPartitionEnds();
                SafeMessageBatchHandle messages = batch.Messages;
                foreach (int index in batch.PartitionEnds(ends))
                {
                    messages.MoveTo(index, _retained);
                }
            }

            batch.Invalidate();
        }
    }

    /// <summary>
    /// After the assignment was lost: the batch the next consume call would store, and the messages kept for it,
    /// concern partitions this member no longer owns; forget them (the batch itself stays readable).
    /// </summary>
    private void DropPendingStores()
    {
        lock (_storeLock)
        {
            _unstoredBatch = null;
            _retained.DestroyMessages();
        }
    }

    private void CheckOwner(ConsumedBatch batch)
    {
        if (batch.Engine != this)
        {
            throw new ArgumentException("The batch was returned by another consumer.", nameof(batch));
        }
    }
}

using System.Runtime.ExceptionServices;
using KafkaFast.Native;

namespace KafkaFast.Consumer.Engine;

/// <summary>Closing: stop the consume loop, commit what was stored, leave the group, release.</summary>
internal sealed partial class ConsumerEngine
{
    private int _closeStarted;

    /// <summary>
    /// Closes the consumer. <paramref name="acknowledgeLastBatch"/> (an explicit Close, in CommitMode.Auto): the last
    /// batch, if the application has disposed it, is processed, so its offsets are stored and committed with the rest;
    /// a Dispose alone may run while an exception unwinds the consume loop, so it leaves that batch to be read again.
    /// A failed final commit is reported (<see cref="Error"/>, else the logger), never thrown: the consumer closes
    /// anyway and the partitions' next owner reads from the last committed offset (at-least-once).
    /// </summary>
    internal void Close(bool throwErrors, bool acknowledgeLastBatch)
    {
        if (OnCallbackThread)
        {
            throw new InvalidOperationException("A consumer cannot be closed from its own event handler (it runs inside a consume call); close it after that call returns.");
        }

        if (Interlocked.Exchange(ref _closeStarted, 1) != 0)
        {
            return;
        }

        // Stop the consume loop: a waiting call wakes, sees _closing and returns; then Close owns the queue for good.
        _closing = true;
        _wakeup.Signal();
        var spin = new SpinWait();
        while (Interlocked.CompareExchange(ref _consumeState, StateClosed, StateIdle) != StateIdle)
        {
            spin.SpinOnce(sleep1Threshold: 20);
        }

        _keepAlive.Dispose();
        var errors = new List<Exception>();
        _callbackThreadId = Environment.CurrentManagedThreadId;
        try
        {
            // 1. Commit what was stored (in Auto mode librdkafka would too, but only report failures to a log).
            if (HasAssignment && HasGroup)
            {
                if (acknowledgeLastBatch && _commitMode == CommitMode.Auto)
                {
                    StoreDisposedLastBatch();
                }

                try
                {
                    Commit(null, requireAssignment: false);
                }
                catch (KafkaException e)
                {
                    // Not thrown (as Confluent.Kafka's Close): the group may be rebalancing or have moved on (RebalanceInProgress,
                    // IllegalGeneration, FENCED_LEADER_EPOCH...), which the application cannot fix by retrying a closed consumer.
                    RaiseError(e.Code, $"The final commit of group '{GroupName}' failed while closing; the consumer closed anyway and the next owner of its partitions reads from the last committed offsets (at-least-once): {e.Message}", fatal: false);
                }
            }

            // 2. No more wake-ups; release our consumer-queue reference before rd_kafka_consumer_close.
            ConsumerWakeup.Detach(_queue);
            _queue.Dispose();

            // 3. Leave the group. The final revoke is served here, on this thread.
            using (var lease = new HandleLease(_rk))
            {
                int err = LibRdKafka.ConsumerClose(lease.Pointer);
                _rk.ConsumerNotClosed = false; // closed: rd_kafka_destroy only stops librdkafka's threads now
                if (err != 0 && _fatalError is null)
                {
                    errors.Add(new KafkaException((KafkaErrorCode)err, $"Leaving group '{GroupName}' failed: {LibRdKafka.ErrorText(err)}"));
                }
            }

            // 4. Async commits: complete those whose results arrived; fail the rest.
            DrainCommitQueue();
            FailPendingCommits();
        }
        finally
        {
            _callbackThreadId = 0;
        }

        lock (_pendingErrors)
        {
            errors.AddRange(_pendingErrors);
            _pendingErrors.Clear();
        }

        _disposed = true;

        // 5. Release. Retained messages were never stored (not known to be processed). The rd_kafka_t is destroyed
        //    when the last batch the application still holds is disposed or finalized.
        lock (_storeLock)
        {
            _unstoredBatch = null;
            _retained.DestroyMessages();
        }

        _retained.Dispose();
        _pool.Dispose();
        _commitQueue.Dispose();
        _wakeup.Dispose();
        _rk.Dispose();
        ReportCloseErrors(errors, throwErrors);
    }

    private void ReportCloseErrors(List<Exception> errors, bool throwErrors)
    {
        if (errors.Count == 0)
        {
            return;
        }

        if (!throwErrors)
        {
            foreach (Exception e in errors)
            {
                ConsumerLog.CloseError(_logger, GroupName, e); // nowhere without a logger: never the console
            }

            return;
        }

        if (errors.Count == 1)
        {
            ExceptionDispatchInfo.Throw(errors[0]);
        }

        throw new AggregateException($"Closing the consumer of group '{GroupName}' reported {errors.Count} errors.", errors);
    }
}

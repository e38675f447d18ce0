using System.Runtime.InteropServices;

namespace KafkaFast.Native;

/// <summary>
/// What a consumer does with librdkafka's callbacks, in librdkafka's terms. The consumer engine implements it; the
/// [UnmanagedCallersOnly] trampolines of <see cref="ConsumerCallbacks"/> find it through the opaque (a weak GCHandle,
/// see <see cref="SafeCallbackContextHandle"/>). Lists passed in are borrowed: valid only during the call.
/// </summary>
internal interface IConsumerCallbackTarget
{
    /// <summary>
    /// ASSIGN (-175) or REVOKE (-174) or a rebalance error, on the thread serving the consumer queue (a consume call,
    /// or close). The target must (un)assign through <paramref name="rk"/> before returning.
    /// </summary>
    void OnRebalance(nint rk, int err, SafeTopicPartitionListHandle partitions, bool cooperative);

    /// <summary>A client-level error, on the thread serving the consumer queue.</summary>
    void OnError(nint rk, int err, string reason);

    /// <summary>An automatic commit failed (request or per-partition errors); successful ones are not reported.</summary>
    void OnAutoCommitFailed(int err, SafeTopicPartitionListHandle? offsets);

    /// <summary>The result of a commit sent with <see cref="ConsumerCallbacks.CommitToQueue"/>, served by rd_kafka_queue_poll_callback.</summary>
    void OnCommitCompleted(long id, int err, SafeTopicPartitionListHandle? offsets);

    /// <summary>The commit queue became non-empty. On a librdkafka thread: must not call librdkafka.</summary>
    void OnCommitQueueReady();

    /// <summary>Whether a log line of this syslog level is wanted (checked before its strings are made).</summary>
    bool WantsLog(int level);

    /// <summary>A librdkafka log line, on any librdkafka thread.</summary>
    void OnLog(int level, string facility, string text);

    /// <summary>A callback above threw (nothing may unwind into C): report it.</summary>
    void OnCallbackFailed(Exception exception);
}

/// <summary>Receives the result of <see cref="ConsumerCallbacks.CommitAndWait"/> on the committing thread.</summary>
internal interface ICommitResultSink
{
    /// <summary>The commit's outcome; <paramref name="offsets"/> (borrowed) lists each partition with its own error.</summary>
    void Complete(int err, SafeTopicPartitionListHandle? offsets);
}

/// <summary>
/// The consumer's librdkafka callbacks and the calls that take callbacks. Every trampoline is an
/// [UnmanagedCallersOnly] static that catches every exception. When the target is gone (its consumer was collected
/// and its handles' finalizers are tearing librdkafka down), the rebalance trampoline still does the default
/// (un)assignment so librdkafka can finish.
/// </summary>
internal static unsafe class ConsumerCallbacks
{
    /// <summary>
    /// Installs the callbacks in a consumer's configuration; <paramref name="opaque"/> resolves to the target.
    /// <paramref name="cooperative"/> is the group's rebalance protocol, known from the configuration (see
    /// <see cref="IsCooperativeConfiguration"/>): the rebalance callback never asks librdkafka for it, because
    /// rd_kafka_rebalance_protocol waits for a reply from the group handler's queue, which nobody serves while the
    /// consumer closes (a Dispose during a rebalance hung there).
    /// </summary>
    internal static void Install(SafeConfigHandle conf, nint opaque, bool cooperative, bool autoCommitResults, bool log)
    {
        LibRdKafka.ConfSetOpaque(conf, opaque);
        LibRdKafka.ConfSetRebalanceCb(conf, cooperative ? &OnCooperativeRebalanceNative : &OnEagerRebalanceNative);
        LibRdKafka.ConfSetErrorCb(conf, &OnErrorNative);
        if (autoCommitResults)
        {
            LibRdKafka.ConfSetOffsetCommitCb(conf, &OnAutoCommitNative);
        }

        // With a logger, librdkafka's log lines go to it; without one, nowhere (its default prints to stderr).
        LibRdKafka.ConfSetLogCb(conf, log ? &OnLogNative : null);
    }

    /// <summary>Calls the target's <see cref="IConsumerCallbackTarget.OnCommitQueueReady"/> when <paramref name="queue"/> becomes non-empty.</summary>
    internal static void NotifyWhenReady(SafeQueueHandle queue, nint opaque)
    {
        using var lease = new HandleLease(queue);
        LibRdKafka.QueueCbEventEnable(lease.Pointer, &OnCommitQueueReadyNative, opaque);
    }

    /// <summary>
    /// Commits <paramref name="offsets"/> (null: the stored offsets of the assignment) and waits for the broker; the
    /// result goes to <paramref name="sink"/> on this thread before this returns (unless librdkafka refused at once:
    /// then only the returned error says why).
    /// </summary>
    internal static int CommitAndWait(nint rk, SafeTopicPartitionListHandle? offsets, ICommitResultSink sink)
    {
        GCHandle handle = GCHandle.Alloc(sink);
        try
        {
            return LibRdKafka.CommitQueue(rk, offsets is null ? null : offsets.List, 0, &OnSyncCommitNative, GCHandle.ToIntPtr(handle));
        }
        finally
        {
            handle.Free();
        }
    }

    /// <summary>Commits without waiting; the result arrives on <paramref name="queue"/> as <see cref="IConsumerCallbackTarget.OnCommitCompleted"/> with <paramref name="id"/>.</summary>
    internal static int CommitToQueue(nint rk, SafeTopicPartitionListHandle? offsets, nint queue, long id) =>
        LibRdKafka.CommitQueue(rk, offsets is null ? null : offsets.List, queue, &OnAsyncCommitNative, (nint)id);

    /// <summary>
    /// True when a consumer configured with these (final) librdkafka properties rebalances cooperatively
    /// (incrementally): group.protocol=consumer (KIP-848) always does; the classic protocol does with
    /// cooperative-sticky, the only cooperative assignor. librdkafka refuses a partition.assignment.strategy list
    /// that mixes cooperative and eager assignors, so the first one decides.
    /// </summary>
    internal static bool IsCooperativeConfiguration(string? groupProtocol, string? assignmentStrategy)
    {
        if (string.Equals(groupProtocol?.Trim(), "consumer", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        string first = (assignmentStrategy ?? string.Empty).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? string.Empty;
        return string.Equals(first, "cooperative-sticky", StringComparison.OrdinalIgnoreCase);
    }

    [UnmanagedCallersOnly]
    private static void OnCooperativeRebalanceNative(nint rk, int err, RdKafkaTopicPartitionList* partitions, nint opaque) =>
        OnRebalance(rk, err, partitions, opaque, cooperative: true);

    [UnmanagedCallersOnly]
    private static void OnEagerRebalanceNative(nint rk, int err, RdKafkaTopicPartitionList* partitions, nint opaque) =>
        OnRebalance(rk, err, partitions, opaque, cooperative: false);

    private static void OnRebalance(nint rk, int err, RdKafkaTopicPartitionList* partitions, nint opaque, bool cooperative)
    {
        IConsumerCallbackTarget? target = null;
        try
        {
            target = SafeCallbackContextHandle.Resolve<IConsumerCallbackTarget>(opaque);
            if (target is null)
            {
                DefaultRebalance(rk, err, partitions, cooperative);
                return;
            }

            using SafeTopicPartitionListHandle list = SafeTopicPartitionListHandle.Borrow(partitions) ?? SafeTopicPartitionListHandle.Create(0);
            target.OnRebalance(rk, err, list, cooperative);
        }
        catch (Exception e)
        {
            target?.OnCallbackFailed(e);
        }
    }

    [UnmanagedCallersOnly]
    private static void OnErrorNative(nint rk, int err, byte* reason, nint opaque)
    {
        IConsumerCallbackTarget? target = null;
        try
        {
            target = SafeCallbackContextHandle.Resolve<IConsumerCallbackTarget>(opaque);
            target?.OnError(rk, err, LibRdKafka.Utf8(reason));
        }
        catch (Exception e)
        {
            target?.OnCallbackFailed(e);
        }
    }

    [UnmanagedCallersOnly]
    private static void OnAutoCommitNative(nint rk, int err, RdKafkaTopicPartitionList* offsets, nint opaque)
    {
        IConsumerCallbackTarget? target = null;
        try
        {
            if (!CommitFailed(err, offsets))
            {
                return; // the usual case, every auto.commit.interval.ms: nothing to report, nothing allocated
            }

            target = SafeCallbackContextHandle.Resolve<IConsumerCallbackTarget>(opaque);
            if (target is not null)
            {
                using SafeTopicPartitionListHandle? list = SafeTopicPartitionListHandle.Borrow(offsets);
                target.OnAutoCommitFailed(err, list);
            }
        }
        catch (Exception e)
        {
            target?.OnCallbackFailed(e);
        }
    }

    /// <summary>True when a commit result carries a request-level error (other than "nothing to commit") or a per-partition one.</summary>
    private static bool CommitFailed(int err, RdKafkaTopicPartitionList* offsets)
    {
        if (err != 0 && err != LibRdKafka.ErrNoOffset)
        {
            return true;
        }

        for (int i = 0; offsets != null && i < offsets->Count; i++)
        {
            if (offsets->Elements[i].Err != 0)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The synchronous commit's result, on the committing thread; opaque is a GCHandle to an <see cref="ICommitResultSink"/>.</summary>
    [UnmanagedCallersOnly]
    private static void OnSyncCommitNative(nint rk, int err, RdKafkaTopicPartitionList* offsets, nint opaque)
    {
        if (GCHandle.FromIntPtr(opaque).Target is not ICommitResultSink sink)
        {
            return;
        }

        try
        {
            using SafeTopicPartitionListHandle? list = SafeTopicPartitionListHandle.Borrow(offsets);
            sink.Complete(err, list);
        }
        catch (Exception)
        {
            try
            {
                sink.Complete(err, null);
            }
            catch (Exception)
            {
                // Nothing may unwind into librdkafka; the commit call's own return value still reports the request error.
            }
        }
    }

    /// <summary>An async commit's result, served by rd_kafka_queue_poll_callback; opaque is the commit id.</summary>
    [UnmanagedCallersOnly]
    private static void OnAsyncCommitNative(nint rk, int err, RdKafkaTopicPartitionList* offsets, nint opaque)
    {
        IConsumerCallbackTarget? target = null;
        try
        {
            target = SafeCallbackContextHandle.Resolve<IConsumerCallbackTarget>(LibRdKafka.Opaque(rk));
            if (target is not null)
            {
                using SafeTopicPartitionListHandle? list = SafeTopicPartitionListHandle.Borrow(offsets);
                target.OnCommitCompleted(opaque, err, list);
            }
        }
        catch (Exception e)
        {
            target?.OnCallbackFailed(e);
        }
    }

    /// <summary>Called on a librdkafka thread when the commit queue becomes non-empty: must not call librdkafka.</summary>
    [UnmanagedCallersOnly]
    private static void OnCommitQueueReadyNative(nint rk, nint opaque)
    {
        try
        {
            SafeCallbackContextHandle.Resolve<IConsumerCallbackTarget>(opaque)?.OnCommitQueueReady();
        }
        catch (Exception)
        {
            // The thread pool refused work: the results are served when the consumer closes.
        }
    }

    /// <summary>librdkafka log lines (any librdkafka thread); installed only when the target logs.</summary>
    [UnmanagedCallersOnly]
    private static void OnLogNative(nint rk, int level, byte* facility, byte* text)
    {
        try
        {
            IConsumerCallbackTarget? target = SafeCallbackContextHandle.Resolve<IConsumerCallbackTarget>(LibRdKafka.Opaque(rk));
            if (target is not null && target.WantsLog(level))
            {
                target.OnLog(level, LibRdKafka.Utf8(facility), LibRdKafka.Utf8(text));
            }
        }
        catch (Exception)
        {
            // Logging must never take the process down.
        }
    }

    /// <summary>What librdkafka needs when nobody handles the rebalance: take or give up the partitions.</summary>
    private static void DefaultRebalance(nint rk, int err, RdKafkaTopicPartitionList* partitions, bool cooperative)
    {
        nint error = 0;
        if (err == LibRdKafka.ErrAssignPartitions)
        {
            if (cooperative)
            {
                error = LibRdKafka.IncrementalAssign(rk, partitions);
            }
            else
            {
                _ = LibRdKafka.Assign(rk, partitions); // nobody to report to during teardown
            }
        }
        else if (cooperative && err == LibRdKafka.ErrRevokePartitions)
        {
            error = LibRdKafka.IncrementalUnassign(rk, partitions);
        }
        else
        {
            _ = LibRdKafka.Unassign(rk); // nobody to report to during teardown
        }

        if (error != 0)
        {
            LibRdKafka.ErrorDestroy(error);
        }
    }
}

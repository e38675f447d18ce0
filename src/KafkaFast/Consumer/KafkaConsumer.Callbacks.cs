using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using KafkaFast.Native;
using Microsoft.Extensions.Logging;

namespace KafkaFast.Consumer;

/// <summary>
/// librdkafka callbacks. All are [UnmanagedCallersOnly] statics that find the consumer through the opaque (a weak
/// GCHandle), catch every exception (nothing may unwind into C), and queue exceptions from application handlers to
/// be thrown by the next consume call. Rebalance, error and automatic-commit callbacks run on the thread that is
/// inside rd_kafka_consume_batch_queue or rd_kafka_consumer_close for this consumer (the main queue is forwarded
/// to the consumer queue). When the consumer was garbage collected (its finalizers are tearing librdkafka down),
/// the rebalance callback still performs the default (un)assignment so librdkafka can finish.
/// </summary>
public sealed unsafe partial class KafkaConsumer
{
    private static readonly byte[] s_cooperative = "COOPERATIVE"u8.ToArray();

    [UnmanagedCallersOnly]
    private static void OnRebalanceNative(nint rk, int err, RdKafkaTopicPartitionList* partitions, nint opaque)
    {
        KafkaConsumer? consumer = null;
        try
        {
            consumer = SafeCallbackContextHandle.Resolve<KafkaConsumer>(opaque);
            if (consumer is null)
            {
                DefaultRebalance(rk, err, partitions);
            }
            else
            {
                consumer.OnRebalance(rk, err, partitions);
            }
        }
        catch (Exception e)
        {
            consumer?.EnqueueError(e);
        }
    }

    [UnmanagedCallersOnly]
    private static void OnErrorNative(nint rk, int err, byte* reason, nint opaque)
    {
        KafkaConsumer? consumer = null;
        try
        {
            consumer = SafeCallbackContextHandle.Resolve<KafkaConsumer>(opaque);
            consumer?.OnError(rk, err, LibRdKafka.Utf8(reason));
        }
        catch (Exception e)
        {
            consumer?.EnqueueError(e);
        }
    }

    [UnmanagedCallersOnly]
    private static void OnAutoCommitNative(nint rk, int err, RdKafkaTopicPartitionList* offsets, nint opaque)
    {
        KafkaConsumer? consumer = null;
        try
        {
            consumer = SafeCallbackContextHandle.Resolve<KafkaConsumer>(opaque);
            if (consumer is null || !CommitFailed(err, offsets))
            {
                return; // the usual case, every AutoCommitInterval: nothing to report, nothing allocated
            }

            var result = new CommitResult();
            result.Complete(err, offsets, consumer.GroupName);
            if (result.Error is { } error)
            {
                consumer.RaiseError(error.Code, $"Automatic offset commit failed: {error.Message}", fatal: false);
            }
        }
        catch (Exception e)
        {
            consumer?.EnqueueError(e);
        }
    }

    /// <summary>True when a commit result carries a request-level or a per-partition error.</summary>
    private static bool CommitFailed(int err, RdKafkaTopicPartitionList* offsets)
    {
        if (err != 0 && err != LibRdKafka.ErrNoOffset)
        {
            return true;
        }

        if (offsets != null)
        {
            for (int i = 0; i < offsets->Count; i++)
            {
                if (offsets->Elements[i].Err != 0)
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>The synchronous commit's result, on the committing thread; opaque is a GCHandle to a CommitResult.</summary>
    [UnmanagedCallersOnly]
    private static void OnSyncCommitNative(nint rk, int err, RdKafkaTopicPartitionList* offsets, nint opaque)
    {
        if (GCHandle.FromIntPtr(opaque).Target is not CommitResult result)
        {
            return;
        }

        try
        {
            string group = SafeCallbackContextHandle.Resolve<KafkaConsumer>(LibRdKafka.Opaque(rk))?.GroupName ?? "?";
            result.Complete(err, offsets, group);
        }
        catch (Exception)
        {
            result.Complete(err, null, "?");
        }
    }

    /// <summary>An async commit's result, served by DrainCommitQueue; opaque is the commit id.</summary>
    [UnmanagedCallersOnly]
    private static void OnAsyncCommitNative(nint rk, int err, RdKafkaTopicPartitionList* offsets, nint opaque)
    {
        try
        {
            SafeCallbackContextHandle.Resolve<KafkaConsumer>(LibRdKafka.Opaque(rk))?.CompleteCommit(opaque, err, offsets);
        }
        catch (Exception)
        {
            // Nothing to report to: the task is failed by Close if it never completes.
        }
    }

    /// <summary>Called on a librdkafka thread when the commit queue becomes non-empty: must not call librdkafka.</summary>
    [UnmanagedCallersOnly]
    private static void OnCommitQueueReadyNative(nint rk, nint opaque)
    {
        try
        {
            SafeCallbackContextHandle.Resolve<KafkaConsumer>(opaque)?.ScheduleCommitDrain();
        }
        catch (Exception)
        {
            // Thread pool refused work: the results are served by Close.
        }
    }

    /// <summary>librdkafka log lines (any librdkafka thread); installed only with a logger.</summary>
    [UnmanagedCallersOnly]
    private static void OnLogNative(nint rk, int level, byte* facility, byte* text)
    {
        try
        {
            KafkaConsumer? consumer = SafeCallbackContextHandle.Resolve<KafkaConsumer>(LibRdKafka.Opaque(rk));
            LogLevel logLevel = SyslogLevel(level);
            ILogger? logger = consumer?._logger;
            if (logger is not null && logger.IsEnabled(logLevel))
            {
                string facilityText = LibRdKafka.Utf8(facility);
                string lineText = LibRdKafka.Utf8(text);
                Log.Librdkafka(logger, logLevel, facilityText, lineText);
            }
        }
        catch (Exception)
        {
            // Logging must never take the process down.
        }
    }

    private static LogLevel SyslogLevel(int level) => level switch
    {
        <= 2 => LogLevel.Critical,
        3 => LogLevel.Error,
        4 => LogLevel.Warning,
        5 or 6 => LogLevel.Information,
        _ => LogLevel.Debug,
    };

    private static bool IsCooperative(nint rk)
    {
        byte* protocol = LibRdKafka.RebalanceProtocol(rk);
        return protocol != null && MemoryMarshal.CreateReadOnlySpanFromNullTerminated(protocol).SequenceEqual(s_cooperative);
    }

    /// <summary>What librdkafka needs when nobody handles the rebalance: take or give up the partitions.</summary>
    private static void DefaultRebalance(nint rk, int err, RdKafkaTopicPartitionList* partitions)
    {
        bool cooperative = IsCooperative(rk);
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
            _ = LibRdKafka.Assign(rk, null); // nobody to report to during teardown
        }

        if (error != 0)
        {
            LibRdKafka.ErrorDestroy(error);
        }
    }

    /// <summary>
    /// Assign: take the partitions, then tell the application (so it can seek or read committed offsets).
    /// Revoke: tell the application first (it may commit), then give them up. With the cooperative protocol only
    /// the partitions listed move; with eager ones the whole assignment does.
    /// </summary>
    private void OnRebalance(nint rk, int err, RdKafkaTopicPartitionList* partitions)
    {
        bool cooperative = IsCooperative(rk);
        TopicPartition[] list = TopicPartitionLists.ToPartitions(partitions);
        if (err == LibRdKafka.ErrAssignPartitions)
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

            Log.Assigned(_logger, GroupName, list.Length, cooperative);
            Raise(PartitionsAssigned, new PartitionsAssignedEventArgs(list, cooperative));
            return;
        }

        if (err == LibRdKafka.ErrRevokePartitions)
        {
            bool lost = LibRdKafka.AssignmentLost(rk) != 0;
            Log.Revoked(_logger, GroupName, list.Length, lost);
            try
            {
                Raise(PartitionsRevoked, new PartitionsRevokedEventArgs(list, lost, cooperative));
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
                    int unassignErr = LibRdKafka.Assign(rk, null);
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

            return;
        }

        // A rebalance error: librdkafka asks the application to drop its assignment.
        _ = LibRdKafka.Assign(rk, null); // the rebalance error itself is reported below
        lock (_assignment)
        {
            _assignment.Clear();
            _assignmentSource = AssignmentSource.None;
        }

        RaiseError((KafkaErrorCode)err, $"Rebalance failed: {LibRdKafka.ErrorText(err)}", fatal: false);
    }

    private void OnError(nint rk, int err, string reason)
    {
        bool fatal = false;
        var code = (KafkaErrorCode)err;
        if (err == LibRdKafka.ErrFatal)
        {
            fatal = true;
            byte* buffer = stackalloc byte[512];
            int underlying = LibRdKafka.FatalError(rk, buffer, 512);
            if (underlying != 0)
            {
                code = (KafkaErrorCode)underlying;
                reason = LibRdKafka.Utf8(buffer);
            }

            _fatalError ??= new KafkaException(code, $"Fatal consumer error (the consumer can no longer be used; close it): {reason}");
        }

        RaiseError(code, reason, fatal);
    }

    /// <summary>
    /// Raises <see cref="Error"/>. When nobody listens it goes to the logger, or without one to stderr in librdkafka's
    /// own log format (what librdkafka does itself when no error callback is set), so it is never silent.
    /// A throwing handler's exception is queued.
    /// </summary>
    private void RaiseError(KafkaErrorCode code, string reason, bool fatal)
    {
        EventHandler<KafkaErrorEventArgs>? handler = Error;
        if (handler is null)
        {
            if (_hasLogger)
            {
                Log.UnhandledError(_logger, GroupName, code, reason, fatal);
            }
            else
            {
                Console.Error.WriteLine($"%{(fatal ? 2 : 3)}|{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0:F3}|ERROR|KafkaFast consumer (group {GroupName})| {code}: {reason}");
            }

            return;
        }

        Raise(handler, new KafkaErrorEventArgs(code, reason, fatal));
    }

    private void Raise<T>(EventHandler<T>? handler, T args)
    {
        if (handler is null)
        {
            return;
        }

        try
        {
            handler(this, args);
        }
        catch (Exception e)
        {
            EnqueueError(e); // thrown by the next consume call (or Close), never swallowed
        }
    }
}

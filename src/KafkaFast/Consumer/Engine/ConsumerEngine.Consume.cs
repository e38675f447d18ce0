using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using KafkaFast.Native;

namespace KafkaFast.Consumer.Engine;

/// <summary>The consume loop: one call at a time owns the consumer queue; it reads with timeout 0 and waits for a wake-up.</summary>
internal sealed partial class ConsumerEngine
{
    /// <summary>Idle, Consuming (one consume call owns the queue) or Closed (Close owns it for good).</summary>
    private int _consumeState;

    /// <summary>The managed thread inside a librdkafka call that serves callbacks (consume or close), else 0.</summary>
    private volatile int _callbackThreadId;

    /// <summary>Errors to throw from the next consume call, in order (consume errors, handler exceptions). Lock: itself.</summary>
    private readonly Queue<Exception> _pendingErrors = new();

    /// <summary>Set by Close: a waiting consume call returns (empty) and no new one starts.</summary>
    private volatile bool _closing;

    /// <summary>True when the calling thread is inside one of this consumer's event handlers (it runs inside a consume call or Close).</summary>
    private bool OnCallbackThread => _callbackThreadId == Environment.CurrentManagedThreadId;

    internal ConsumedBatch ConsumeBatch(int maxMessages, TimeSpan timeout)
    {
        long timeoutMs = (long)timeout.TotalMilliseconds;
        long deadline = timeout == Timeout.InfiniteTimeSpan ? long.MaxValue : Environment.TickCount64 + timeoutMs;
        EnterConsume();
        ConsumedBatch? batch = null;
        try
        {
            BeginConsume();
            batch = _pool.Rent(maxMessages);
            while (true)
            {
                if (FillOnce(batch, maxMessages) > 0)
                {
                    return Deliver(batch);
                }

                ThrowPendingError();
                long remaining = deadline - Environment.TickCount64;
                if (_closing || remaining <= 0)
                {
                    return batch; // empty
                }

                _wakeup.Wait((int)Math.Min(remaining, int.MaxValue));
            }
        }
        catch
        {
            batch?.Dispose();
            throw;
        }
        finally
        {
            ExitConsume();
        }
    }

    /// <summary>The async loop: null when the consumer closed while waiting.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    internal async ValueTask<ConsumedBatch?> ConsumeAsync(int maxMessages, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (!EnterConsume(throwIfClosed: false))
        {
            return null; // closed: the sequence ends
        }

        ConsumedBatch? batch = null;
        try
        {
            if (_closing)
            {
                return null;
            }

            BeginConsume();
            batch = _pool.Rent(maxMessages);
            while (true)
            {
                if (FillOnce(batch, maxMessages) > 0)
                {
                    return Deliver(batch);
                }

                ThrowPendingError();
                if (_closing)
                {
                    batch.Dispose();
                    return null;
                }

                // Holds no thread: .NET's socket engine completes this from epoll when librdkafka (or Close, or
                // the keep-alive timer) writes to the wake-up socket, or when the token is cancelled.
                await _wakeup.WaitAsync(cancellationToken).ConfigureAwait(false);
                _wakeup.Drain();
            }
        }
        catch
        {
            batch?.Dispose();
            throw;
        }
        finally
        {
            ExitConsume();
        }
    }

    /// <summary>Takes the consume ownership; false (or ObjectDisposedException) when the consumer is closed.</summary>
    private bool EnterConsume(bool throwIfClosed = true)
    {
        int state = Interlocked.CompareExchange(ref _consumeState, StateConsuming, StateIdle);
        if (state == StateIdle)
        {
            return true;
        }

        if (state == StateClosed || _disposed)
        {
            ObjectDisposedException.ThrowIf(throwIfClosed, Owner);
            return false;
        }

        throw new InvalidOperationException(OnCallbackThread
            ? "A consumer cannot consume from its own event handler (it runs inside a consume call)."
            : "Another consume call is running on this consumer: librdkafka allows one at a time. Consume from one thread (or one async loop) and hand batches to workers.");
    }

    private void ExitConsume() => Interlocked.CompareExchange(ref _consumeState, StateIdle, StateConsuming);

    /// <summary>Start of every consume call: acknowledge the previous batch (Auto), then report what is pending.</summary>
    private void BeginConsume()
    {
        ObjectDisposedException.ThrowIf(_closing, Owner);
        if (_commitMode == CommitMode.Auto)
        {
            StoreUnstoredOffsets();
        }

        ThrowPendingError();
        if (_fatalError is { } fatal)
        {
            throw fatal;
        }
    }

    private void ThrowPendingError()
    {
        if (_pendingErrors.Count == 0)
        {
            return;
        }

        Exception? error;
        lock (_pendingErrors)
        {
            _pendingErrors.TryDequeue(out error);
        }

        if (error is not null)
        {
            ExceptionDispatchInfo.Throw(error);
        }
    }

    private void EnqueueError(Exception error)
    {
        lock (_pendingErrors)
        {
            _pendingErrors.Enqueue(error);
        }
    }

    /// <summary>
    /// One non-blocking read of the consumer queue into <paramref name="batch"/>, serving callbacks (rebalance,
    /// errors, commit results) on this thread. Consumer errors arrive as messages with err set: they are removed from
    /// the batch (so its messages are all valid) and queued to be thrown after the batch is delivered.
    /// </summary>
    private int FillOnce(ConsumedBatch batch, int maxMessages)
    {
        SafeMessageBatchHandle messages = batch.Messages;
        int count;
        _callbackThreadId = Environment.CurrentManagedThreadId;
        try
        {
            using var queue = new HandleLease(_queue);
            count = messages.Fill(queue.Pointer, maxMessages);
        }
        finally
        {
            _callbackThreadId = 0;
        }

        if (count < 0)
        {
            int err = LibRdKafka.LastError();
            throw new KafkaException((KafkaErrorCode)err, $"librdkafka could not read the consumer queue: {LibRdKafka.ErrorText(err)}");
        }

        int kept = 0;
        for (int i = 0; i < count; i++)
        {
            nint message = messages.MessageAt(i);
            int err = RdKafkaMessageFields.Error(message);
            if (err == 0)
            {
                messages.MoveSlot(i, kept++);
                continue;
            }

            // Without a group, errors about no partition concern the private group handle (e.g. group authorization
            // failed for its coordinator lookup): nothing this consumer uses.
            if (err != LibRdKafka.ErrPartitionEof && (HasGroup || RdKafkaMessageFields.Topic(message) != 0))
            {
                KafkaConsumeException error = ToConsumeException(message);
                if (IsThrownFromConsume(error.Code))
                {
                    EnqueueError(error);
                }
                else
                {
                    RaiseError(error.Code, error.Message, fatal: false); // librdkafka retries: the loop goes on
                }
            }

            messages.DestroyAt(i);
        }

        messages.Truncate(kept);
        batch.Activate(kept, TopicNames);
        return kept;
    }

    /// <summary>
    /// The consumer errors thrown from the consume call (docs/CONSUMER.md, "Errors"), because the application must act
    /// on them: a topic or partition that does not exist, an authorization failure, an offset out of range with no
    /// reset, the poll interval exceeded. Every other one (a transport failure, every broker down, a failed fetch of
    /// committed offsets during an outage) is raised as an Error event while librdkafka retries: thrown, a passing
    /// outage would end consume loops that are written to stop on exceptions.
    /// </summary>
    internal static bool IsThrownFromConsume(KafkaErrorCode code) => code is
        KafkaErrorCode.UnknownTopicOrPartition or KafkaErrorCode.UnknownTopic or KafkaErrorCode.UnknownPartition or
        KafkaErrorCode.TopicAuthorizationFailed or KafkaErrorCode.GroupAuthorizationFailed or
        KafkaErrorCode.OffsetOutOfRange or KafkaErrorCode.AutoOffsetReset or KafkaErrorCode.MaxPollExceeded;

    private KafkaConsumeException ToConsumeException(nint message)
    {
        int err = RdKafkaMessageFields.Error(message);
        var code = (KafkaErrorCode)err;
        nint rkt = RdKafkaMessageFields.Topic(message);
        string? topic = rkt != 0 ? TopicNames.Get(rkt) : null;
        int partition = RdKafkaMessageFields.Partition(message);
        long offset = RdKafkaMessageFields.Offset(message);
        string where = topic is null ? string.Empty : $" for {topic} [{partition}]";
        return new KafkaConsumeException(code, $"Consume error{where}: {RdKafkaMessageFields.ErrorReason(message)} ({code})", topic,
            topic is null ? -1 : partition, offset >= 0 ? offset : KafkaOffset.Unset);
    }

    /// <summary>Hands a non-empty batch to the application; in Auto mode it becomes the batch to store next time.</summary>
    private ConsumedBatch Deliver(ConsumedBatch batch)
    {
        if (_commitMode == CommitMode.Auto)
        {
            lock (_storeLock)
            {
                _unstoredBatch = batch;
                _unstoredGeneration = batch.Generation;
            }
        }

        return batch;
    }
}

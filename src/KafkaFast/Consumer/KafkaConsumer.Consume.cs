using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using KafkaFast.Native;

namespace KafkaFast.Consumer;

public sealed partial class KafkaConsumer
{
    /// <summary>Largest batch one call may ask for.</summary>
    public const int MaxBatchSize = 1_000_000;

    /// <summary>
    /// Returns up to <paramref name="maxMessages"/> messages as soon as at least one is available, waiting at most
    /// <paramref name="timeout"/> (<see cref="Timeout.InfiniteTimeSpan"/>: no limit; <see cref="TimeSpan.Zero"/>: only
    /// what is already there). The batch may be empty (timeout, or the consumer is closing) and must be disposed; its
    /// message views are valid until then. Rebalance and error events are raised on this thread during the call.
    /// <para>
    /// In <see cref="CommitMode.Auto"/>, calling this acknowledges the previous batch: its offsets are stored first.
    /// </para>
    /// </summary>
    /// <exception cref="KafkaConsumeException">librdkafka reported an error for a topic or partition (messages read before it were returned by the previous call).</exception>
    /// <exception cref="KafkaException">A fatal error stopped the consumer.</exception>
    /// <exception cref="InvalidOperationException">Another consume call is running, or this is called from an event handler.</exception>
    /// <exception cref="ObjectDisposedException">The consumer is closed.</exception>
    public ConsumedBatch ConsumeBatch(int maxMessages, TimeSpan timeout)
    {
        CheckMaxMessages(maxMessages);
        long timeoutMs = (long)timeout.TotalMilliseconds;
        if (timeout != Timeout.InfiniteTimeSpan && timeoutMs < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "The timeout must not be negative (use Timeout.InfiniteTimeSpan to wait without limit).");
        }

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

    /// <summary>
    /// Waits, without holding a thread, until at least one message is available and returns up to
    /// <paramref name="maxMessages"/> of them (never an empty batch). See <see cref="ConsumeBatch(int, TimeSpan)"/>.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="ObjectDisposedException">The consumer is (or was, while waiting) closed.</exception>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<ConsumedBatch> ConsumeBatchAsync(int maxMessages, CancellationToken cancellationToken = default)
    {
        CheckMaxMessages(maxMessages);
        ConsumedBatch? batch = await ConsumeCoreAsync(maxMessages, cancellationToken).ConfigureAwait(false);
        return batch ?? throw new ObjectDisposedException(nameof(KafkaConsumer), "The consumer was closed while waiting for messages.");
    }

    /// <summary>
    /// Batches of up to <paramref name="maxMessages"/> messages, each as soon as one is available, until the consumer
    /// is closed (the sequence ends) or <paramref name="cancellationToken"/> is cancelled (OperationCanceledException).
    /// Waiting holds no thread: it is an epoll-driven socket receive. Dispose each batch; in
    /// <see cref="CommitMode.Auto"/>, moving to the next batch acknowledges the previous one (leaving the loop by an
    /// exception or break does not, so that batch is delivered again after a restart).
    /// </summary>
    public IAsyncEnumerable<ConsumedBatch> ConsumeBatchesAsync(int maxMessages, CancellationToken cancellationToken = default)
    {
        CheckMaxMessages(maxMessages); // now, not at the first MoveNextAsync
        return ConsumeBatchesCoreAsync(maxMessages, cancellationToken);
    }

    private async IAsyncEnumerable<ConsumedBatch> ConsumeBatchesCoreAsync(int maxMessages, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (true)
        {
            ConsumedBatch? batch = await ConsumeCoreAsync(maxMessages, cancellationToken).ConfigureAwait(false);
            if (batch is null)
            {
                yield break;
            }

            yield return batch;
        }
    }

    /// <summary>The async loop: null when the consumer closed while waiting.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<ConsumedBatch?> ConsumeCoreAsync(int maxMessages, CancellationToken cancellationToken)
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

    private static void CheckMaxMessages(int maxMessages)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxMessages, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxMessages, MaxBatchSize);
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
            ObjectDisposedException.ThrowIf(throwIfClosed, this);
            return false;
        }

        throw new InvalidOperationException(_callbackThreadId == Environment.CurrentManagedThreadId
            ? "A consumer cannot consume from its own event handler (it runs inside a consume call)."
            : "Another consume call is running on this consumer: librdkafka allows one at a time. Consume from one thread (or one async loop) and hand batches to workers.");
    }

    private void ExitConsume() => Interlocked.CompareExchange(ref _consumeState, StateIdle, StateConsuming);

    /// <summary>Start of every consume call: acknowledge the previous batch (Auto), then report what is pending.</summary>
    private void BeginConsume()
    {
        ObjectDisposedException.ThrowIf(_closing, this);
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

    internal void EnqueueError(Exception error)
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
    private unsafe int FillOnce(ConsumedBatch batch, int maxMessages)
    {
        SafeMessageBatchHandle messages = batch.Messages;
        nint count;
        _callbackThreadId = Environment.CurrentManagedThreadId;
        try
        {
            using var queue = new HandleLease(_queue);
            count = LibRdKafka.ConsumeBatchQueue(queue.Pointer, 0, messages.Slots, (nuint)maxMessages);
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

        if (count == 0)
        {
            return 0;
        }

        messages.SetFilled((int)count);
        RdKafkaMessage** slots = messages.Slots;
        int kept = 0;
        for (int i = 0; i < (int)count; i++)
        {
            RdKafkaMessage* message = slots[i];
            if (message->Err == 0)
            {
                slots[kept++] = message;
                continue;
            }

            // Without a group, errors about no partition concern the private group handle (e.g. group authorization
            // failed for its coordinator lookup): nothing this consumer uses.
            if (message->Err != LibRdKafka.ErrPartitionEof && (HasGroup || message->Topic != 0))
            {
                EnqueueError(ToConsumeException(message));
            }

            LibRdKafka.MessageDestroy(message);
            messages.Forget(i);
        }

        messages.Truncate(kept);
        batch.Activate(kept, _topicNames);
        return kept;
    }

    private unsafe KafkaConsumeException ToConsumeException(RdKafkaMessage* message)
    {
        var code = (KafkaErrorCode)message->Err;
        string? topic = message->Topic != 0 ? _topicNames.Get(message->Topic) : null;
        string reason = message->Payload != null && message->Length > 0
            ? System.Text.Encoding.UTF8.GetString(message->Payload, (int)Math.Min(message->Length, 4096))
            : LibRdKafka.ErrorText(message->Err);
        string where = topic is null ? string.Empty : $" for {topic} [{message->Partition}]";
        return new KafkaConsumeException(code, $"Consume error{where}: {reason} ({code})", topic, topic is null ? -1 : message->Partition,
            message->Offset >= 0 ? message->Offset : KafkaOffset.Unset);
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

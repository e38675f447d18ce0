using System.Runtime.CompilerServices;

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
        if (timeout != Timeout.InfiniteTimeSpan && timeout < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "The timeout must not be negative (use Timeout.InfiniteTimeSpan to wait without limit).");
        }

        return _engine.ConsumeBatch(maxMessages, timeout);
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
        ConsumedBatch? batch = await _engine.ConsumeAsync(maxMessages, cancellationToken).ConfigureAwait(false);
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
            ConsumedBatch? batch = await _engine.ConsumeAsync(maxMessages, cancellationToken).ConfigureAwait(false);
            if (batch is null)
            {
                yield break;
            }

            yield return batch;
        }
    }

    private static void CheckMaxMessages(int maxMessages)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxMessages, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxMessages, MaxBatchSize);
    }
}

using System.Threading.Channels;

namespace KafkaFast.Producer.Engine;

/// <summary>
/// The <see cref="KafkaProducer.Failures"/> stream, bounded twice: at most FailureBufferCapacity unread reports
/// (the oldest is dropped and counted), and at most FailureBufferBytes of key and value copies held by unread
/// reports. A report that would go past the byte limit carries its metadata only
/// (<see cref="DeliveryFailure.BytesKept"/> false), so an outage that fails every message cannot fill the managed
/// heap with copies; counts stay exact either way.
/// </summary>
/// <remarks>
/// <see cref="_bytesHeld"/> is the sum of Key.Length + Value.Length over reports that kept their bytes and are still
/// in the channel: added by <see cref="TryReserveCopy"/> before a report is written (worker threads), taken back
/// when the report leaves the channel, read (<see cref="FailureReader.TryRead"/>) or dropped
/// (<see cref="OnDropped"/>). The channel removes each report once, so each is taken back once.
/// </remarks>
internal sealed class FailureChannel
{
    private readonly Channel<DeliveryFailure> _channel;
    private readonly long _byteLimit;
    private long _bytesHeld;
    private long _dropped;

    internal FailureChannel(int capacity, long byteLimit)
    {
        _byteLimit = byteLimit;
        _channel = Channel.CreateBounded<DeliveryFailure>(
            new BoundedChannelOptions(capacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleWriter = false },
            OnDropped);
        Reader = new FailureReader(this);
    }

    /// <summary>What the application reads; taking a report out frees its share of the byte limit.</summary>
    internal ChannelReader<DeliveryFailure> Reader { get; }

    /// <summary>Reports dropped unread (the channel was full, or closed).</summary>
    internal long Dropped => Volatile.Read(ref _dropped);

    /// <summary>Bytes of key and value copies held by unread reports.</summary>
    internal long BytesHeld => Volatile.Read(ref _bytesHeld);

    /// <summary>Claims room for copies of <paramref name="bytes"/> bytes; false when the unread reports already hold too much.</summary>
    internal bool TryReserveCopy(long bytes)
    {
        if (bytes == 0)
        {
            return true;
        }

        if (Interlocked.Add(ref _bytesHeld, bytes) <= _byteLimit)
        {
            return true;
        }

        Interlocked.Add(ref _bytesHeld, -bytes);
        return false;
    }

    /// <summary>Publishes a report (its copies were claimed with <see cref="TryReserveCopy"/>).</summary>
    internal void Publish(DeliveryFailure failure)
    {
        if (!_channel.Writer.TryWrite(failure))
        {
            OnDropped(failure); // only after Complete: a bounded DropOldest channel always takes a write
        }
    }

    /// <summary>No more reports (the producer closed); unread ones stay readable.</summary>
    internal void Complete() => _channel.Writer.TryComplete();

    private void OnDropped(DeliveryFailure failure)
    {
        Release(failure);
        Interlocked.Increment(ref _dropped);
    }

    private void Release(DeliveryFailure failure)
    {
        if (failure.BytesKept)
        {
            Interlocked.Add(ref _bytesHeld, -((long)failure.Key.Length + failure.Value.Length));
        }
    }

    /// <summary>The channel's reader, with each report taken out released from the byte limit.</summary>
    private sealed class FailureReader(FailureChannel owner) : ChannelReader<DeliveryFailure>
    {
        private readonly ChannelReader<DeliveryFailure> _inner = owner._channel.Reader;

        public override Task Completion => _inner.Completion;

        public override bool CanCount => true;

        public override bool CanPeek => true;

        public override int Count => _inner.Count;

        public override bool TryRead([System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out DeliveryFailure item)
        {
            if (!_inner.TryRead(out item))
            {
                return false;
            }

            owner.Release(item);
            return true;
        }

        public override bool TryPeek([System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out DeliveryFailure item) => _inner.TryPeek(out item);

        public override ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken = default) => _inner.WaitToReadAsync(cancellationToken);
    }
}

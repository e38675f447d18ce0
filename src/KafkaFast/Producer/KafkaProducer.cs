using System.Collections.Concurrent;
using System.Threading.Channels;
using KafkaFast.Producer.Engine;
using Microsoft.Extensions.Logging;

namespace KafkaFast.Producer;

/// <summary>
/// A Kafka producer for the request path. A produce call copies the message once into native memory the producer
/// owns and returns: no lock, no syscall, no P/Invoke, no managed allocation, never blocking. Dedicated worker
/// threads (one per librdkafka client, see <see cref="KafkaProducerOptions.MaxClients"/>) hand messages to
/// librdkafka in batches, without copying them again, and take delivery reports in batches.
/// </summary>
/// <remarks>
/// Memory is bounded by <see cref="KafkaProducerOptions.MemoryBudgetBytes"/>: when it is full, calls are refused
/// (and counted) or, for awaitable calls under <see cref="OverflowPolicy.Wait"/>, wait up to a deadline. Every
/// accepted message ends delivered or failed with a reason (<see cref="Failures"/>, <see cref="GetStatistics"/>).
/// Thread-safe. Dispose it (preferably with <see cref="DisposeAsync"/>) to deliver what is in flight; a producer
/// that is dropped undisposed is closed by its finalizer.
/// </remarks>
public sealed partial class KafkaProducer : IAsyncDisposable, IDisposable
{
    private readonly ProducerEngine _engine;
    private readonly ConcurrentDictionary<string, KafkaTopic> _topics = new(StringComparer.Ordinal);

    /// <summary>Creates the librdkafka clients and starts their workers. Throws <see cref="ArgumentException"/> naming any bad setting.</summary>
    public KafkaProducer(KafkaProducerOptions options, ILoggerFactory? loggerFactory = null) =>
        _engine = new ProducerEngine(options, loggerFactory);

    /// <summary>Closes the producer if it was never disposed (workers drain up to CloseTimeout, then free everything).</summary>
    ~KafkaProducer()
    {
        ProducerEngine? engine = _engine; // null when the constructor threw (bad options)
        if (engine is not null)
        {
            ProducerLog.Finalized(engine.Logger);
            engine.CloseAsync(engine.Options.CloseTimeout);
        }
    }

    /// <summary>The engine behind this facade (tests reach internal settings and hooks through it).</summary>
    internal ProducerEngine Engine => _engine;

    /// <summary>The options the producer was built with (do not change them afterwards).</summary>
    public KafkaProducerOptions Options => _engine.Options;

    /// <summary>
    /// Accepted messages that failed, with reasons and copies of their bytes; bounded
    /// (<see cref="KafkaProducerOptions.FailureBufferCapacity"/>, oldest dropped and counted). Completes after close.
    /// </summary>
    public ChannelReader<DeliveryFailure> Failures => _engine.Failures;

    /// <summary>
    /// Resolves a topic once and returns a handle for produce calls; later calls for the name are a dictionary lookup.
    /// May block: the first call for a name waits for the topic's metadata up to
    /// <see cref="KafkaProducerOptions.MetadataTimeout"/> (the cluster may create the topic). Use
    /// <see cref="GetTopicAsync"/> where a thread must not block.
    /// </summary>
    /// <remarks>
    /// If the cluster cannot be reached within that time, the topic is returned <b>pending</b>
    /// (<see cref="KafkaTopic.IsPending"/>): messages are accepted within the budget and partitioned when the
    /// cluster answers (delivered then, or failed with a reason after the message timeout). An explicit partition
    /// is then checked when the partitions are known; a message naming one the topic does not have fails with
    /// <see cref="KafkaErrorCode.UnknownPartition"/>. Throws <see cref="KafkaException"/> when the cluster refuses
    /// the topic (authorization, invalid) or answers that it does not exist.
    /// </remarks>
    public KafkaTopic GetTopic(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (_topics.TryGetValue(name, out KafkaTopic? topic))
        {
            return topic;
        }

        return _topics.GetOrAdd(name, new KafkaTopic(this, _engine.ResolveTopic(name)));
    }

    /// <summary>
    /// <see cref="GetTopic"/> without blocking a thread: completes when the topic's partitions are known, or after
    /// <see cref="KafkaProducerOptions.MetadataTimeout"/> with a pending topic if the cluster cannot be reached.
    /// </summary>
    public async ValueTask<KafkaTopic> GetTopicAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (_topics.TryGetValue(name, out KafkaTopic? topic))
        {
            return topic;
        }

        TopicState state = await _engine.ResolveTopicAsync(name, cancellationToken).ConfigureAwait(false);
        return _topics.GetOrAdd(name, new KafkaTopic(this, state));
    }

    /// <summary>A snapshot of the counters (accepted, delivered, failed, rejected by reason, budget in use).</summary>
    public ProducerStatistics GetStatistics() => _engine.GetStatistics();

    /// <summary>
    /// Waits until nothing is in flight or <paramref name="timeout"/> passes. Returns how many messages are still in
    /// flight (0 = all delivered or failed). Messages accepted while it waits are waited for too.
    /// </summary>
    public ValueTask<long> FlushAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(timeout, TimeSpan.Zero);
        return _engine.FlushAsync(timeout, cancellationToken);
    }

    /// <summary>Blocking <see cref="FlushAsync"/>: returns how many messages are still in flight.</summary>
    public long Flush(TimeSpan timeout) => FlushAsync(timeout).AsTask().GetAwaiter().GetResult();

    /// <summary>
    /// Stops accepting messages, waits up to <paramref name="timeout"/> (default CloseTimeout) for those in flight,
    /// fails the rest as purged (each reported on <see cref="Failures"/>), and frees every native resource.
    /// </summary>
    public Task<ProducerCloseResult> CloseAsync(TimeSpan? timeout = null)
    {
        TimeSpan wait = timeout ?? _engine.Options.CloseTimeout;
        ArgumentOutOfRangeException.ThrowIfLessThan(wait, TimeSpan.Zero);
#pragma warning disable CA1816 // closing is disposing: the finalizer has nothing left to do
        GC.SuppressFinalize(this);
#pragma warning restore CA1816
        return _engine.CloseAsync(wait);
    }

    /// <summary>Closes with <see cref="KafkaProducerOptions.CloseTimeout"/>: drains, then frees everything.</summary>
    public async ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        await CloseAsync().ConfigureAwait(false);
    }

    /// <summary>Blocking <see cref="DisposeAsync"/>.</summary>
    public void Dispose()
    {
        GC.SuppressFinalize(this);
        CloseAsync().GetAwaiter().GetResult();
    }

    private TopicState Check(KafkaTopic topic)
    {
        ArgumentNullException.ThrowIfNull(topic);
        if (topic.Producer != this)
        {
            throw new ArgumentException($"Topic handle '{topic.Name}' belongs to another producer.", nameof(topic));
        }

        return topic.State;
    }

    /// <summary>Counts a refused call as BudgetFull, unless the engine refused it for a fatal error (counted there).</summary>
    private bool RejectedUnlessFatal()
    {
        if (!_engine.IsFatal)
        {
            _engine.CountRejected(ProduceRejectReason.BudgetFull);
        }

        return false;
    }
}

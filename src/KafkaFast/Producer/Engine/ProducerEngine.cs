using System.Collections.Concurrent;
using System.Globalization;
using System.Threading.Channels;
using KafkaFast.Buffers;
using KafkaFast.Configuration;
using KafkaFast.Native;
using KafkaFast.Producer.Partitioning;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace KafkaFast.Producer.Engine;

/// <summary>
/// Everything a producer owns: the librdkafka clients and their workers, the slab arena (the memory budget),
/// topics, awaiters, counters and the failure stream. Worker threads reference the engine, never the public
/// <see cref="KafkaProducer"/>, so an abandoned producer can be finalized (which closes the engine).
/// </summary>
internal sealed partial class ProducerEngine
{
    private const int StateOpen = 0;
    private const int StateClosing = 1;
    private const int StateClosed = 2;

    private readonly ProducerClient[] _clients;
    private readonly FailureChannel _failures;
    private readonly long[] _rejected = new long[Enum.GetValues<ProduceRejectReason>().Length];
    private readonly Dictionary<KafkaErrorCode, long> _failedByError = [];
    private readonly ConcurrentDictionary<int, string> _errorTexts = new();
    private readonly string?[] _statistics;
    private readonly TaskCompletionSource<ProducerCloseResult> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _state;
    private int _runningWorkers;
    private long _closeDeadline;
    private long _purgedAtClose;
    private int _fatalCode;
    private int _flushers;
    private string? _fatalReason;

    internal ProducerEngine(KafkaProducerOptions options, ILoggerFactory? loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        Logger = (ILogger?)loggerFactory?.CreateLogger("KafkaFast.Producer") ?? NullLogger.Instance;

        var configs = new SafeConfigHandle[options.MaxClients];
        try
        {
            for (int i = 0; i < configs.Length; i++)
            {
                configs[i] = BuildConfig(options, i);
                HandOff = HandOffPolicy.Read(configs[i], options.EnablePartitionGate);
                _metadataRefreshMs = ReadRefreshInterval(configs[i]);
            }

            // Read back what librdkafka will use, pass-through properties included.
            Partitioner = KeyPartitioner.FromPropertyValue(LibRdKafka.ConfGetString(configs[0], "partitioner")) ?? options.Partitioner;
            MessageMaxBytes = int.Parse(LibRdKafka.ConfGetString(configs[0], "message.max.bytes") ?? "1000000", CultureInfo.InvariantCulture);
            StickyMilliseconds = int.Parse(LibRdKafka.ConfGetString(configs[0], "sticky.partitioning.linger.ms") ?? "10", CultureInfo.InvariantCulture);
            int slabSize = SlabSizing.SlabSize(MessageMaxBytes);
            long minimumBudget = SlabSizing.MinimumBudget(options.MaxClients, MessageMaxBytes);
            if (options.MemoryBudgetBytes < minimumBudget)
            {
                throw new ArgumentException(
                    $"MemoryBudgetBytes is {options.MemoryBudgetBytes} bytes; with message.max.bytes {MessageMaxBytes} and MaxClients {options.MaxClients} it must be at least {minimumBudget}.",
                    nameof(options));
            }

            Arena = new SlabArena(options.MemoryBudgetBytes, slabSize, options.MaxClients);
            _clients = new ProducerClient[options.MaxClients];
            for (int i = 0; i < _clients.Length; i++)
            {
                SafeKafkaHandle kafka = LibRdKafka.NewOrThrow(LibRdKafka.TypeProducer, configs[i]);
                kafka.KeepAliveUntilDestroyed(Arena.Memory); // librdkafka reads payloads in the arena until destroyed
                _clients[i] = new ProducerClient(this, i, kafka);
            }
        }
        catch
        {
            foreach (SafeConfigHandle config in configs)
            {
                config?.Dispose();
            }

            if (_clients is not null)
            {
                foreach (ProducerClient? client in _clients)
                {
                    client?.Kafka.Dispose();
                }
            }

            Arena?.Dispose();
            throw;
        }

        _statistics = new string?[_clients.Length];
        _failures = new FailureChannel(options.FailureBufferCapacity, options.FailureBufferBytes);

        _runningWorkers = _clients.Length;
        foreach (ProducerClient client in _clients)
        {
            client.Start();
        }

        LibrdkafkaLibrary.LogLoadedOnce(Logger);
        ProducerLog.Started(Logger, _clients.Length, LibRdKafka.Version, options.MemoryBudgetBytes, Arena.SlabCount, Arena.SlabSize);
    }

    internal KafkaProducerOptions Options { get; }

    internal ILogger Logger { get; }

    internal SlabArena Arena { get; } = null!;

    internal PartitionerType Partitioner { get; }

    internal int MessageMaxBytes { get; }

    /// <summary>How long keyless messages stick to one partition (sticky.partitioning.linger.ms as librdkafka reads it); 0: random per message.</summary>
    internal int StickyMilliseconds { get; }

    /// <summary>
    /// A partition that holds messages and has made no progress (no hand-off, no delivery report) for this long is
    /// reported in <see cref="ProducerStatistics.StalledPartitions"/>. 5 s; tests shorten it.
    /// </summary>
    internal TimeSpan StallThreshold { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How workers hand records to librdkafka (the partition gate), from the effective configuration.</summary>
    internal HandOffPolicy HandOff { get; } = null!;

    internal DeliveryCompletionPool Completions { get; } = new();

    /// <summary>Pulsed when a slab or librdkafka's share is given back: budget waiters retry.</summary>
    internal AsyncPulse BudgetFreed { get; } = new();

    /// <summary>Pulsed when a client has nothing in flight: flush waiters re-check.</summary>
    internal AsyncPulse Drained { get; } = new();

    internal ChannelReader<DeliveryFailure> Failures => _failures.Reader;

    /// <summary>Bytes of key and value copies held by unread failure reports (at most FailureBufferBytes).</summary>
    internal long FailureBytesHeld => _failures.BytesHeld;

    internal bool IsClosing => Volatile.Read(ref _state) != StateOpen;

    internal bool CloseDeadlinePassed => Environment.TickCount64 >= Volatile.Read(ref _closeDeadline);

    internal bool IsFatal => Volatile.Read(ref _fatalCode) != 0;

    /// <summary>A flush or close is waiting: gates hand over at once instead of lingering.</summary>
    internal bool IsDraining => Volatile.Read(ref _flushers) > 0 || IsClosing;

    private static SafeConfigHandle BuildConfig(KafkaProducerOptions options, int index)
    {
        var conf = new SafeConfigHandle();
        try
        {
            void Set(string name, string value) => LibRdKafka.ConfSetOrThrow(conf, name, value);

            if (!string.IsNullOrWhiteSpace(options.BootstrapServers))
            {
                Set("bootstrap.servers", options.BootstrapServers);
            }

            Set("client.id", options.MaxClients > 1 ? $"{options.ClientId}-{index}" : options.ClientId);
            Set("linger.ms", options.Linger.TotalMilliseconds.ToString(CultureInfo.InvariantCulture));
            // Whole milliseconds for librdkafka, rounded up: a period under 1 ms must not become 0 ("off").
            Set("sticky.partitioning.linger.ms", ((long)Math.Ceiling(options.EffectiveStickyPartitioningLinger.TotalMilliseconds)).ToString(CultureInfo.InvariantCulture));
            Set("acks", options.Acks == Acks.All ? "all" : ((int)options.Acks).ToString(CultureInfo.InvariantCulture));
            Set("enable.idempotence", options.EnableIdempotence ? "true" : "false");
            Set("compression.type", options.Compression.ToString().ToLowerInvariant());
            Set("message.max.bytes", options.MessageMaxBytes.ToString(CultureInfo.InvariantCulture));
            Set("message.timeout.ms", ((long)options.MessageTimeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture));
            Set("partitioner", KeyPartitioner.PropertyValue(options.Partitioner));

            // The budget bounds both our records and librdkafka's per-message memory (each message handed over is
            // charged its share: MessageRecord.LibrdkafkaOverhead, SlabArena), so librdkafka's own queue limits are lifted.
            Set("queue.buffering.max.messages", "2147483647");
            Set("queue.buffering.max.kbytes", "2147483647");
            Set("log.queue", "true"); // log lines become LOG events for our logger (none: dropped)...
            LibRdKafka.ConfSetNoLogCallback(conf); // ...and those without a client (rk == NULL) never reach stderr

            foreach ((string key, string value) in options.Properties)
            {
                LibRdKafka.ConfSetOrThrow(conf, key, value, secret: KafkaProperties.IsSecret(key));
            }

            if (LibRdKafka.ConfGetString(conf, "delivery.report.only.error") == "true")
            {
                throw new ArgumentException("delivery.report.only.error cannot be true: buffers are reused only after each message's delivery report.");
            }

            LibRdKafka.ConfSetEvents(conf, LibRdKafka.EventTypeDeliveryReport | LibRdKafka.EventTypeError | LibRdKafka.EventTypeLog | LibRdKafka.EventTypeStats);
            return conf;
        }
        catch
        {
            conf.Dispose();
            throw;
        }
    }

    internal ProducerClient ClientAt(int index) => _clients[index];

    internal int ClientCount => _clients.Length;

    internal string ErrorText(int code) => _errorTexts.GetOrAdd(code, static c => LibRdKafka.ErrorText(c));

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    internal void ThrowClosed()
    {
        Interlocked.Increment(ref _rejected[(int)ProduceRejectReason.Closed]);
        throw new ObjectDisposedException(nameof(KafkaProducer), "The producer is closed (or closing): it accepts no new messages.");
    }

    internal void CountRejected(ProduceRejectReason reason) => Interlocked.Increment(ref _rejected[(int)reason]);

    internal long Rejected(ProduceRejectReason reason) => Volatile.Read(ref _rejected[(int)reason]);

    internal long InFlight
    {
        get
        {
            long total = 0;
            foreach (ProducerClient client in _clients)
            {
                total += client.InFlight;
            }

            return total;
        }
    }

    internal void WakeAll()
    {
        foreach (ProducerClient client in _clients)
        {
            client.Wake();
        }
    }

    internal ProducerStatistics GetStatistics()
    {
        long accepted = 0, delivered = 0, failed = 0;
        foreach (ProducerClient client in _clients)
        {
            // Failed and delivered first: accepted read last can only be larger, so in-flight is never negative.
            failed += client.Failed;
            delivered += client.Delivered;
        }

        foreach (ProducerClient client in _clients)
        {
            accepted += client.Accepted;
        }

        Dictionary<KafkaErrorCode, long> byError;
        lock (_failedByError)
        {
            byError = new Dictionary<KafkaErrorCode, long>(_failedByError);
        }

        var stalled = new List<StalledPartition>();
        foreach (ProducerClient client in _clients)
        {
            stalled.AddRange(client.StalledPartitions);
        }

        var rejected = new Dictionary<ProduceRejectReason, long>();
        foreach (ProduceRejectReason reason in Enum.GetValues<ProduceRejectReason>())
        {
            rejected[reason] = Rejected(reason);
        }

        return new ProducerStatistics
        {
            Accepted = accepted,
            Delivered = delivered,
            Failed = failed,
            Rejected = rejected,
            FailedByError = byError,
            FailuresDropped = _failures.Dropped,
            BudgetBytes = Arena.Budget,
            BudgetBytesInUse = Arena.BytesInUse,
            BudgetBytesForLibrdkafka = Arena.LibrdkafkaBytes,
            SlabSize = Arena.SlabSize,
            IsFatal = IsFatal,
            FatalReason = _fatalReason,
            LibrdkafkaStatistics = [.. _statistics],
            StalledPartitions = stalled,
            PendingTopics = PendingTopicNames(),
        };
    }

    /// <summary>Waits until nothing is in flight (including messages accepted meanwhile) or the timeout passes.</summary>
    internal async ValueTask<long> FlushAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _flushers);
        try
        {
            return await FlushCoreAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _flushers);
        }
    }

    private async ValueTask<long> FlushCoreAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        long deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        while (true)
        {
            using AsyncPulse.WaiterRegistration waiter = Drained.Register();
            long inFlight = InFlight;
            long remaining = deadline - Environment.TickCount64;
            if (inFlight == 0 || remaining <= 0)
            {
                return inFlight;
            }

            WakeAll();
            try
            {
                // Re-check at least every 50 ms: a client that drained between our check and Register is not missed.
                await waiter.Task.WaitAsync(TimeSpan.FromMilliseconds(Math.Min(remaining, 50)), cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
            }
        }
    }

    /// <summary>
    /// Stops accepting, lets workers drain until <paramref name="timeout"/>, then purges what is left (reported as
    /// failed), destroys the clients and frees the memory. Idempotent; the first caller's timeout applies.
    /// </summary>
    internal Task<ProducerCloseResult> CloseAsync(TimeSpan timeout)
    {
        if (Interlocked.CompareExchange(ref _state, StateClosing, StateOpen) == StateOpen)
        {
            Volatile.Write(ref _closeDeadline, Environment.TickCount64 + (long)Math.Min(timeout.TotalMilliseconds, int.MaxValue));
            foreach (ProducerClient client in _clients)
            {
                client.SealForClose();
            }

            BudgetFreed.Pulse(); // budget waiters see the producer closing
            foreach (TopicState topic in Volatile.Read(ref _topics))
            {
                topic.Abandon(new ObjectDisposedException(nameof(KafkaProducer), "The producer is closing: the topic's metadata is no longer awaited."));
            }
        }

        return _closed.Task;
    }

    internal void OnWorkerStopped()
    {
        if (Interlocked.Decrement(ref _runningWorkers) != 0)
        {
            return;
        }

        // Every rd_kafka_t is destroyed (or is, once the metadata thread's call returns): nothing reads the slabs any more.
        StopMetadataThread();
        Arena.Dispose();
        Volatile.Write(ref _state, StateClosed);
        _failures.Complete();
        ProducerStatistics statistics = GetStatistics();
        long purged = Volatile.Read(ref _purgedAtClose);
        ProducerLog.Closed(Logger, statistics.Delivered, statistics.Failed, purged);
        _closed.TrySetResult(new ProducerCloseResult(statistics.Accepted, statistics.Delivered, statistics.Failed, purged));
        Drained.Pulse();
    }
}

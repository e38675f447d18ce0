using System.Runtime.CompilerServices;
using KafkaFast.Configuration;
using KafkaFast.Native;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace KafkaFast.Consumer.Engine;

/// <summary>
/// Everything a consumer owns: the librdkafka client and its queues, the wake-up socket, the batch pool, stored and
/// committed offsets, the assignment and its rebalances, and the events. <see cref="KafkaConsumer"/> is a thin
/// facade over it.
/// </summary>
/// <remarks>
/// <para><b>Sync rules.</b> One consume call at a time owns the consumer queue (<see cref="_consumeState"/>); rebalance,
/// error and automatic-commit callbacks run on that thread (or the closing one), which <see cref="_callbackThreadId"/>
/// names. <see cref="_storeLock"/> guards the store hand-off between the consume thread and threads disposing batches;
/// <see cref="_assignment"/> (its own lock) guards the assignment, its source and the subscription flag;
/// <see cref="_pendingErrors"/> and <see cref="_pendingCommits"/> lock themselves. Every native call holds a lease on
/// the handle it uses, so a concurrent Close cannot free it underneath.</para>
/// <para><b>Lifetime.</b> librdkafka calls back through a weak GCHandle to this engine, so the engine (and its
/// facade) can be collected while librdkafka lives; the rd_kafka_t is destroyed when the last SafeHandle referencing
/// it (queues, batches still held) is released.</para>
/// </remarks>
internal sealed partial class ConsumerEngine : IConsumerCallbackTarget, IDisposable
{
    private const int StateIdle = 0;
    private const int StateConsuming = 1;
    private const int StateClosed = 2;

    private readonly CommitMode _commitMode;
    private readonly AutoOffsetReset _autoOffsetReset;
    private readonly ILogger _logger;
    private readonly bool _hasLogger;

    /// <summary>The rd_kafka_t. Children (queues, batch handles) reference it, so it is destroyed last.</summary>
    private readonly SafeKafkaHandle _rk;

    /// <summary>The opaque every librdkafka callback receives (a weak GCHandle to this engine, freed after rd_kafka_destroy).</summary>
    private readonly nint _opaque;

    /// <summary>Owns <see cref="_opaque"/>; released by the rd_kafka_t's handle after rd_kafka_destroy returns.</summary>
    private readonly SafeCallbackContextHandle _context;

    /// <summary>Where librdkafka signals that the consumer queue became non-empty.</summary>
    private readonly ConsumerWakeup _wakeup;

    /// <summary>The consumer-group queue: messages, rebalances, errors and automatic commit results.</summary>
    private readonly SafeQueueHandle _queue;

    /// <summary>Results of async commits: served on the thread pool when librdkafka signals it.</summary>
    private readonly SafeQueueHandle _commitQueue;

    /// <summary>Wakes a waiting consume call well within max.poll.interval.ms, so librdkafka sees the application polling.</summary>
    private readonly Timer _keepAlive;

    private readonly ConsumedBatchPool _pool;

    /// <summary>Messages owned by batches and the retained store, not yet destroyed.</summary>
    private readonly StrongBox<long> _liveMessages = new();

    private volatile KafkaException? _fatalError;
    private volatile bool _disposed;

    internal ConsumerEngine(KafkaConsumer owner, KafkaConsumerOptions options, ILoggerFactory? loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Owner = owner;
        _autoOffsetReset = options.AutoOffsetReset;
        _logger = (ILogger?)loggerFactory?.CreateLogger("KafkaFast.Consumer") ?? NullLogger.Instance;
        _hasLogger = loggerFactory is not null;
        GroupId = options.EffectiveGroupId;
        _commitMode = GroupId is null ? CommitMode.Manual : options.CommitMode; // without a group nothing is stored or committed

        using SafeConfigHandle conf = ConsumerConfiguration.Build(options, out int maxPollIntervalMs, out bool cooperative);
        ConsumerWakeup wakeup = ConsumerWakeup.Create();
        var context = new SafeCallbackContextHandle(this);
        SafeKafkaHandle? rk = null;
        SafeQueueHandle? queue = null, commitQueue = null;
        try
        {
            context.KeepAlive(wakeup.NotifyHandle);
            _opaque = context.Opaque;
            ConsumerCallbacks.Install(conf, _opaque, cooperative, autoCommitResults: _commitMode == CommitMode.Auto, log: _hasLogger);
            rk = LibRdKafka.NewOrThrow(LibRdKafka.TypeConsumer, conf);
            rk.ConsumerNotClosed = true; // until Close has closed it: released by finalizers, it is destroyed without waiting for the group
            LibrdkafkaLibrary.LogLoadedOnce(_logger);
            rk.KeepAliveUntilDestroyed(context); // callbacks may run until rd_kafka_destroy returns
            context.Dispose();                   // our reference; the rd_kafka_t's keeps it until then

            using var lease = new HandleLease(rk);
            ThrowIfError(LibRdKafka.PollSetConsumer(lease.Pointer), "forward the main queue to the consumer queue");
            queue = new SafeQueueHandle(rk, LibRdKafka.QueueGetConsumer(lease.Pointer));
            if (queue.IsInvalid)
            {
                throw new InvalidOperationException("librdkafka returned no consumer-group queue.");
            }

            wakeup.Attach(queue);
            commitQueue = new SafeQueueHandle(rk, LibRdKafka.QueueNew(lease.Pointer));
            if (commitQueue.IsInvalid)
            {
                throw new InvalidOperationException("librdkafka could not create a queue.");
            }

            ConsumerCallbacks.NotifyWhenReady(commitQueue, _opaque);
            _retained = new SafeMessageBatchHandle(rk, 16, _liveMessages);
        }
        catch
        {
            commitQueue?.Dispose();
            queue?.Dispose();
            if (rk is null)
            {
                context.Dispose();
            }

            rk?.Dispose();
            wakeup.Dispose();
            throw;
        }

        _rk = rk;
        _context = context;
        _queue = queue;
        _commitQueue = commitQueue;
        _wakeup = wakeup;
        _pool = new ConsumedBatchPool(this);
        int period = Math.Clamp(maxPollIntervalMs / 3, 50, 60_000);
        using (ExecutionContext.SuppressFlow())
        {
            _keepAlive = new Timer(static state => ((ConsumerWakeup)state!).Signal(), wakeup, period, period);
        }
    }

    /// <summary>The public consumer: the sender of events and the owner named by batches.</summary>
    internal KafkaConsumer Owner { get; }

    internal string? GroupId { get; }

    internal CommitMode CommitMode => _commitMode;

    internal bool HasGroup => GroupId is not null;

    /// <summary>The group for messages and logs.</summary>
    internal string GroupName => GroupId ?? "(none)";

    internal bool IsDisposed => _disposed;

    internal SafeKafkaHandle Handle => _rk;

    internal StrongBox<long> LiveMessages => _liveMessages;

    internal TopicNameCache TopicNames { get; } = new();

    /// <summary>Messages this consumer has handed out (in batches) and not yet released. For diagnostics.</summary>
    internal long OutstandingMessages => Interlocked.Read(ref _liveMessages.Value);

    /// <summary>True while a consume call owns the queue (for tests).</summary>
    internal bool IsConsuming => Volatile.Read(ref _consumeState) == StateConsuming;

    internal string Name
    {
        get
        {
            using var lease = Lease();
            return LibRdKafka.Utf8Name(lease.Pointer);
        }
    }

    internal string? MemberId
    {
        get
        {
            using var lease = Lease();
            return LibRdKafka.MemberIdOf(lease.Pointer);
        }
    }

    internal IReadOnlyList<string> Subscription
    {
        get
        {
            using var lease = Lease();
            int err = LibRdKafka.Subscription(lease.Pointer, out SafeTopicPartitionListHandle topics);
            using (topics)
            {
                ThrowIfError(err, "read the subscription");
                return [.. TopicPartitionLists.ToPartitions(topics).Select(p => p.Topic)];
            }
        }
    }

    /// <summary>Test hook: <paramref name="callback"/> runs once rd_kafka_destroy has returned (it must not reference this consumer).</summary>
    internal void OnNativeDestroyed(Action callback) => _context.Released = callback;

    internal void Subscribe(IEnumerable<string> topics)
    {
        ThrowIfDisposed();
        ArgumentNullException.ThrowIfNull(topics);
        RequireGroup("Subscribe");
        string[] names = [.. topics];
        if (names.Length == 0)
        {
            throw new ArgumentException("Subscribe needs at least one topic or pattern ('^regex'); call Unsubscribe to stop consuming.", nameof(topics));
        }

        foreach (string name in names)
        {
            if (name is null)
            {
                throw new ArgumentException("The topic list contains null.", nameof(topics));
            }

            if (name.StartsWith('^'))
            {
                if (name.Length == 1)
                {
                    throw new ArgumentException("The pattern '^' is empty.", nameof(topics));
                }
            }
            else
            {
                TopicName.Validate(name, nameof(topics));
            }
        }

        using var list = SafeTopicPartitionListHandle.Create(names.Length);
        foreach (string name in names)
        {
            list.Add(name, -1, KafkaOffset.Unset, leaderEpoch: -1); // partition -1: a subscription names topics only
        }

        using var lease = Lease();
        lock (_assignment)
        {
            if (_assignmentSource == AssignmentSource.Manual)
            {
                throw new InvalidOperationException("Partitions are assigned with Assign: Subscribe and Assign are exclusive; call Unassign first.");
            }

            ThrowIfError(LibRdKafka.Subscribe(lease.Pointer, list), $"subscribe to {string.Join(", ", names)}");
            _subscribed = true;
        }
    }

    internal void Unsubscribe()
    {
        using var lease = Lease();
        if (!HasGroup)
        {
            return; // never subscribed
        }

        lock (_assignment)
        {
            ThrowIfError(LibRdKafka.Unsubscribe(lease.Pointer), "unsubscribe");
            _subscribed = false;
        }
    }

    /// <summary>Closes without throwing (see <see cref="Close"/>).</summary>
    public void Dispose() => Close(throwErrors: false, acknowledgeLastBatch: false);

    public override string ToString() =>
        $"KafkaConsumer({(HasGroup ? $"group '{GroupId}', {_commitMode} commits" : "no group")}{(_disposed ? ", closed" : string.Empty)})";

    /// <summary>Throws when the consumer has no group: <paramref name="what"/> needs one.</summary>
    internal void RequireGroup(string what)
    {
        if (!HasGroup)
        {
            throw new InvalidOperationException(
                $"{what} needs a consumer group, and this consumer has none: set KafkaConsumerOptions.GroupId. Without a group a consumer reads the partitions it is given with Assign, and stores and commits nothing.");
        }
    }

    /// <summary>A lease on the rd_kafka_t for one call; ObjectDisposedException (naming KafkaConsumer) once closed.</summary>
    private HandleLease Lease()
    {
        ThrowIfDisposed();
        try
        {
            return new HandleLease(_rk);
        }
        catch (ObjectDisposedException)
        {
            throw new ObjectDisposedException(nameof(KafkaConsumer));
        }
    }

    internal void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, Owner);

    private static void ThrowIfError(int err, string what)
    {
        if (err != 0)
        {
            throw new KafkaException((KafkaErrorCode)err, $"Could not {what}: {LibRdKafka.ErrorText(err)}");
        }
    }

    private static void ThrowIfError(nint error, string what)
    {
        if (error != 0)
        {
            (int code, string text) = LibRdKafka.TakeError(error);
            throw new KafkaException((KafkaErrorCode)code, $"Could not {what}: {text}");
        }
    }

    private static int ToTimeoutMs(TimeSpan timeout, string paramName)
    {
        if (timeout == Timeout.InfiniteTimeSpan)
        {
            return -1;
        }

        if (timeout < TimeSpan.Zero || timeout.TotalMilliseconds > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(paramName, timeout, "The timeout must be between 0 and int.MaxValue ms, or Timeout.InfiniteTimeSpan.");
        }

        return (int)Math.Ceiling(timeout.TotalMilliseconds);
    }
}

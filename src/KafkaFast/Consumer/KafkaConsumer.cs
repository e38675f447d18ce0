using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using KafkaFast.Configuration;
using KafkaFast.Native;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace KafkaFast.Consumer;

/// <summary>
/// A consumer-group member that reads messages in batches, as zero-copy views over librdkafka's memory.
/// </summary>
/// <remarks>
/// <para><b>Threading.</b> One consume call at a time (<see cref="ConsumeBatch(int, TimeSpan)"/>,
/// <see cref="ConsumeBatchAsync"/>, <see cref="ConsumeBatchesAsync"/>): librdkafka forbids concurrent batch reads of one
/// queue, so a second concurrent call throws. Events (<see cref="PartitionsAssigned"/>, <see cref="PartitionsRevoked"/>,
/// <see cref="Error"/>) are raised on the thread running the consume call (or <see cref="Close"/>); handlers may call
/// Commit, Seek, Pause and the queries, but not consume or close. Every other member is thread-safe.</para>
/// <para><b>Lifetime.</b> <see cref="Close"/> commits stored offsets, leaves the group (raising the last
/// <see cref="PartitionsRevoked"/>) and releases the client; <see cref="Dispose"/> does the same without throwing.
/// Batches still held by the application stay valid: the librdkafka client is destroyed when the last one is
/// disposed. An abandoned consumer is cleaned up by its SafeHandles' finalizers (librdkafka then leaves the group
/// on the finalizer thread).</para>
/// </remarks>
public sealed unsafe partial class KafkaConsumer : IDisposable
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

    /// <summary>The opaque every librdkafka callback receives (a weak GCHandle to this consumer, freed after rd_kafka_destroy).</summary>
    private readonly nint _opaque;

    /// <summary>Owns <see cref="_opaque"/>; released by the rd_kafka_t's handle after rd_kafka_destroy returns.</summary>
    private readonly SafeCallbackContextHandle _context;

    /// <summary>Where librdkafka signals that the consumer queue became non-empty.</summary>
    private readonly ConsumerWakeup _wakeup;

    /// <summary>The consumer-group queue: messages, rebalances, errors and automatic commit results.</summary>
    private readonly SafeQueueHandle _queue;

    /// <summary>Results of <see cref="CommitAsync()"/>: served on the thread pool when librdkafka signals it.</summary>
    private readonly SafeQueueHandle _commitQueue;

    /// <summary>Wakes a waiting consume call well within max.poll.interval.ms, so librdkafka sees the application polling.</summary>
    private readonly Timer _keepAlive;

    private readonly ConsumedBatchPool _pool;
    private readonly TopicNameCache _topicNames = new();

    /// <summary>Messages owned by batches and the retained store, not yet destroyed.</summary>
    private readonly StrongBox<long> _liveMessages = new();

    /// <summary>Idle, Consuming (one consume call owns the queue) or Closed (Close owns it for good).</summary>
    private int _consumeState;

    /// <summary>The managed thread inside a librdkafka call that serves callbacks (consume or close), else 0.</summary>
    private volatile int _callbackThreadId;

    /// <summary>Errors to throw from the next consume call, in order (consume errors, handler exceptions). Lock: itself.</summary>
    private readonly Queue<Exception> _pendingErrors = new();

    private volatile KafkaException? _fatalError;
    private volatile bool _closing;
    private int _closeStarted;
    private volatile bool _disposed;

    /// <summary>Guards <see cref="_unstoredBatch"/>, <see cref="_unstoredGeneration"/> and <see cref="_retained"/>.</summary>
    private readonly Lock _storeLock = new();

    /// <summary>CommitMode.Auto: the last batch returned, whose offsets are stored when the next consume call starts.</summary>
    private ConsumedBatch? _unstoredBatch;
    private int _unstoredGeneration;

    /// <summary>
    /// CommitMode.Auto: when the unstored batch is disposed before the next consume call, its last message per
    /// partition is moved here (kept alive) so that call can still store exact offsets and leader epochs.
    /// </summary>
    private readonly SafeMessageBatchHandle _retained;

    /// <summary>The partitions assigned to this member, kept by the rebalance handler. Lock: itself.</summary>
    private readonly HashSet<TopicPartition> _assignment = [];

    /// <summary>Async commits in flight by id (the opaque of their commit op). Lock: itself.</summary>
    private readonly Dictionary<long, TaskCompletionSource<IReadOnlyList<TopicPartitionOffset>>> _pendingCommits = [];
    private long _nextCommitId;
    private int _commitDrainScheduled;

    /// <summary>Creates the consumer (it joins the group once it subscribes and consumes).</summary>
    /// <param name="options">The settings, validated here.</param>
    /// <param name="loggerFactory">
    /// Receives librdkafka's log lines, rebalances, and errors no <see cref="Error"/> handler took (category
    /// "KafkaFast.Consumer"). Without one, librdkafka logs to stderr as usual and unhandled errors go there too.
    /// </param>
    /// <exception cref="ArgumentException">A setting is invalid; the message names it and gives the reason.</exception>
    public KafkaConsumer(KafkaConsumerOptions options, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _autoOffsetReset = options.AutoOffsetReset;
        _logger = (ILogger?)loggerFactory?.CreateLogger("KafkaFast.Consumer") ?? NullLogger.Instance;
        _hasLogger = loggerFactory is not null;
        GroupId = options.EffectiveGroupId;
        _commitMode = GroupId is null ? CommitMode.Manual : options.CommitMode; // without a group nothing is stored or committed

        using SafeConfigHandle conf = ConsumerConfiguration.Build(options, out int maxPollIntervalMs);
        ConsumerWakeup wakeup = ConsumerWakeup.Create();
        var context = new SafeCallbackContextHandle(this);
        SafeKafkaHandle? rk = null;
        SafeQueueHandle? queue = null, commitQueue = null;
        try
        {
            context.KeepAlive(wakeup.NotifyHandle);
            _opaque = context.Opaque;
            LibRdKafka.ConfSetOpaque(conf, _opaque);
            LibRdKafka.ConfSetRebalanceCb(conf, &OnRebalanceNative);
            LibRdKafka.ConfSetErrorCb(conf, &OnErrorNative);
            if (options.CommitMode == CommitMode.Auto && GroupId is not null)
            {
                LibRdKafka.ConfSetOffsetCommitCb(conf, &OnAutoCommitNative);
            }

            if (_hasLogger)
            {
                LibRdKafka.ConfSetLogCb(conf, &OnLogNative);
            }

            rk = LibRdKafka.NewOrThrow(LibRdKafka.TypeConsumer, conf);
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

            byte payload = 1; // copied by librdkafka
            LibRdKafka.QueueIoEventEnableRaw(queue.DangerousGetHandle(), wakeup.NotifyFd, &payload, 1);
            commitQueue = new SafeQueueHandle(rk, LibRdKafka.QueueNew(lease.Pointer));
            if (commitQueue.IsInvalid)
            {
                throw new InvalidOperationException("librdkafka could not create a queue.");
            }

            LibRdKafka.QueueCbEventEnable(commitQueue.DangerousGetHandle(), &OnCommitQueueReadyNative, _opaque);
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

    /// <summary>Raised (on the consuming thread) after partitions are assigned to this member.</summary>
    public event EventHandler<PartitionsAssignedEventArgs>? PartitionsAssigned;

    /// <summary>
    /// Raised (on the consuming or closing thread) before partitions are taken away: commit processed work here.
    /// librdkafka waits for the handler to return before the partitions go.
    /// </summary>
    public event EventHandler<PartitionsRevokedEventArgs>? PartitionsRevoked;

    /// <summary>
    /// Raised (on the consuming thread) for client-level errors: brokers unreachable, transport failures, failed
    /// automatic commits. Without a handler they go to the logger (or stderr). Fatal errors are
    /// also thrown by the consume calls.
    /// </summary>
    public event EventHandler<KafkaErrorEventArgs>? Error;

    /// <summary>The consumer group, or null for a consumer without one (it reads the partitions it is given with <see cref="Assign(IEnumerable{TopicPartition})"/>).</summary>
    public string? GroupId { get; }

    /// <summary>The commit mode chosen in the options (<see cref="CommitMode.Manual"/> without a group: nothing is stored or committed then).</summary>
    public CommitMode CommitMode => _commitMode;

    private bool HasGroup => GroupId is not null;

    /// <summary>The group for messages and logs.</summary>
    private string GroupName => GroupId ?? "(none)";

    /// <summary>librdkafka's name for this client (client.id plus a counter).</summary>
    public string Name
    {
        get
        {
            using var lease = Lease();
            return LibRdKafka.Utf8(LibRdKafka.Name(lease.Pointer));
        }
    }

    /// <summary>This member's id in the group, or null before it has joined.</summary>
    public string? MemberId
    {
        get
        {
            using var lease = Lease();
            byte* id = LibRdKafka.MemberId(lease.Pointer);
            if (id == null)
            {
                return null;
            }

            try
            {
                string value = LibRdKafka.Utf8(id);
                return value.Length == 0 ? null : value;
            }
            finally
            {
                LibRdKafka.MemFree(lease.Pointer, id);
            }
        }
    }

    /// <summary>The partitions currently assigned: by the group (as of the last rebalance event) or by <see cref="Assign(IEnumerable{TopicPartition})"/>; sorted.</summary>
    public IReadOnlyList<TopicPartition> Assignment
    {
        get
        {
            lock (_assignment)
            {
                return [.. _assignment.OrderBy(p => p.Topic, StringComparer.Ordinal).ThenBy(p => p.Partition)];
            }
        }
    }

    /// <summary>The topics and patterns subscribed to.</summary>
    public IReadOnlyList<string> Subscription
    {
        get
        {
            using var lease = Lease();
            RdKafkaTopicPartitionList* list = null;
            ThrowIfError(LibRdKafka.Subscription(lease.Pointer, &list), "read the subscription");
            using var owned = SafeTopicPartitionListHandle.Own(list);
            return [.. TopicPartitionLists.ToPartitions(owned.List).Select(p => p.Topic)];
        }
    }

    /// <summary>Messages this consumer has handed out (in batches) and not yet released. For diagnostics.</summary>
    internal long OutstandingMessages => Interlocked.Read(ref _liveMessages.Value);

    internal SafeKafkaHandle Handle => _rk;

    /// <summary>Guards the store hand-off and every batch's partition-end scratch (see <see cref="ConsumedBatch.CollectPartitionEnds"/>).</summary>
    internal Lock StoreLock => _storeLock;

    /// <summary>True while a consume call owns the queue (for tests).</summary>
    internal bool IsConsuming => Volatile.Read(ref _consumeState) == StateConsuming;

    /// <summary>Test hook: <paramref name="callback"/> runs once rd_kafka_destroy has returned (it must not reference this consumer).</summary>
    internal void OnNativeDestroyed(Action callback) => _context.Released = callback;

    /// <summary>
    /// Subscribes to topics, replacing any previous subscription. An entry starting with '^' is a regular expression
    /// matched against all topic names (e.g. "^orders\\..*"). Partitions arrive through the group's rebalance
    /// (<see cref="PartitionsAssigned"/>) during consume calls. A topic that does not exist is reported by the
    /// consume calls as a <see cref="KafkaConsumeException"/> with <see cref="KafkaErrorCode.UnknownTopicOrPartition"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The list is empty, or a name is not a valid topic name or pattern.</exception>
    /// <exception cref="InvalidOperationException">The consumer has no <see cref="GroupId"/>, or partitions are assigned with Assign.</exception>
    public void Subscribe(IEnumerable<string> topics)
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
            list.Add(name, -1);
        }

        using var lease = Lease();
        lock (_assignment)
        {
            if (_assignmentSource == AssignmentSource.Manual)
            {
                throw new InvalidOperationException("Partitions are assigned with Assign: Subscribe and Assign are exclusive; call Unassign first.");
            }

            ThrowIfError(LibRdKafka.Subscribe(lease.Pointer, list.List), $"subscribe to {string.Join(", ", names)}");
            _subscribed = true;
        }
    }

    /// <summary>Subscribes to topics (see <see cref="Subscribe(IEnumerable{string})"/>).</summary>
    public void Subscribe(params string[] topics) => Subscribe((IEnumerable<string>)topics);

    /// <summary>Leaves the subscription: the partitions are revoked (<see cref="PartitionsRevoked"/>) during the next consume call.</summary>
    public void Unsubscribe()
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

    /// <summary>
    /// Commits stored offsets, leaves the group (raising <see cref="PartitionsRevoked"/> on this thread) and releases
    /// the client. A consume call running on another thread returns (empty) first. Idempotent.
    /// <para>
    /// In <see cref="CommitMode.Auto"/> the last batch returned is not stored unless the application called
    /// <see cref="ConsumedBatch.StoreOffsets"/> for it: it may not have been processed, so it is delivered again
    /// (at-least-once).
    /// </para>
    /// Blocks while the group is left (at most about the session timeout when brokers are unreachable).
    /// </summary>
    /// <exception cref="KafkaException">Committing or leaving failed, or an event handler threw; the consumer is closed anyway.</exception>
    public void Close() => CloseCore(throwErrors: true);

    /// <summary>Same as <see cref="Close"/>, but errors are logged (or written to stderr) instead of being thrown.</summary>
    public void Dispose() => CloseCore(throwErrors: false);

    private void CloseCore(bool throwErrors)
    {
        if (_callbackThreadId == Environment.CurrentManagedThreadId)
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
                try
                {
                    CommitCore(null, requireAssignment: false);
                }
                catch (KafkaException e)
                {
                    errors.Add(e);
                }
            }

            // 2. No more wake-ups; release our consumer-queue reference before rd_kafka_consumer_close.
            using (var queue = new HandleLease(_queue))
            {
                LibRdKafka.QueueIoEventEnableRaw(queue.Pointer, -1, null, 0);
            }

            _queue.Dispose();

            // 3. Leave the group. The final revoke is served here, on this thread.
            using (var lease = new HandleLease(_rk))
            {
                int err = LibRdKafka.ConsumerClose(lease.Pointer);
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

        if (errors.Count == 0)
        {
            return;
        }

        if (!throwErrors)
        {
            foreach (Exception e in errors)
            {
                if (_hasLogger)
                {
                    Log.CloseError(_logger, GroupName, e);
                }
                else
                {
                    Console.Error.WriteLine($"%3|{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0:F3}|CLOSE|KafkaFast consumer (group {GroupName})| {e.Message}");
                }
            }

            return;
        }

        if (errors.Count == 1)
        {
            ExceptionDispatchInfo.Throw(errors[0]);
        }

        throw new AggregateException($"Closing the consumer of group '{GroupName}' reported {errors.Count} errors.", errors);
    }

    /// <inheritdoc/>
    public override string ToString() =>
        $"KafkaConsumer({(HasGroup ? $"group '{GroupId}', {_commitMode} commits" : "no group")}{(_disposed ? ", closed" : string.Empty)})";

    private bool HasAssignment
    {
        get
        {
            lock (_assignment)
            {
                return _assignment.Count > 0;
            }
        }
    }

    /// <summary>Throws when the consumer has no group: <paramref name="what"/> needs one.</summary>
    private void RequireGroup(string what)
    {
        if (!HasGroup)
        {
            throw new InvalidOperationException(
                $"{what} needs a consumer group, and this consumer has none: set KafkaConsumerOptions.GroupId. Without a group a consumer reads the partitions it is given with Assign, and stores and commits nothing.");
        }
    }

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

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

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
}

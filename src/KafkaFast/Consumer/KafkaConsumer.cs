using KafkaFast.Consumer.Engine;
using Microsoft.Extensions.Logging;

namespace KafkaFast.Consumer;

/// <summary>
/// A consumer that reads messages in batches, as zero-copy views over librdkafka's memory: a consumer-group member
/// (<see cref="Subscribe(IEnumerable{string})"/>), or a reader of partitions it is given (<see cref="Assign(IEnumerable{TopicPartition})"/>).
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
/// disposed. An abandoned consumer is cleaned up by its SafeHandles' finalizers, which never wait: librdkafka is
/// destroyed on a background thread without closing the consumer (no final commit, no leave: the group reassigns
/// its partitions when its session times out).</para>
/// <para>This type is a facade: the librdkafka client, its queues, offsets, commits and rebalances live in an
/// internal engine.</para>
/// </remarks>
public sealed partial class KafkaConsumer : IDisposable
{
    private readonly ConsumerEngine _engine;

    /// <summary>Creates the consumer (a group member joins the group once it subscribes and consumes).</summary>
    /// <param name="options">The settings, validated here.</param>
    /// <param name="loggerFactory">
    /// Receives librdkafka's log lines, rebalances, and errors no <see cref="Error"/> handler took (category
    /// "KafkaFast.Consumer"). Without one, both go nowhere: neither librdkafka nor KafkaFast writes to the console.
    /// </param>
    /// <exception cref="ArgumentException">A setting is invalid; the message names it and gives the reason.</exception>
    public KafkaConsumer(KafkaConsumerOptions options, ILoggerFactory? loggerFactory = null) =>
        _engine = new ConsumerEngine(this, options, loggerFactory);

    /// <summary>Raised (on the consuming thread) after partitions are assigned to this member.</summary>
    public event EventHandler<PartitionsAssignedEventArgs>? PartitionsAssigned
    {
        add => _engine.PartitionsAssigned += value;
        remove => _engine.PartitionsAssigned -= value;
    }

    /// <summary>
    /// Raised (on the consuming or closing thread) before partitions are taken away: commit processed work here.
    /// librdkafka waits for the handler to return before the partitions go.
    /// </summary>
    public event EventHandler<PartitionsRevokedEventArgs>? PartitionsRevoked
    {
        add => _engine.PartitionsRevoked += value;
        remove => _engine.PartitionsRevoked -= value;
    }

    /// <summary>
    /// Raised (on the consuming or closing thread) when partitions were lost without a rebalance: the session timed
    /// out, the member was fenced, or max.poll.interval.ms passed. Unlike <see cref="PartitionsRevoked"/>, nothing can
    /// be committed for them (another member may own them already); the member rejoins and gets partitions again.
    /// </summary>
    public event EventHandler<PartitionsLostEventArgs>? PartitionsLost
    {
        add => _engine.PartitionsLost += value;
        remove => _engine.PartitionsLost -= value;
    }

    /// <summary>
    /// Raised (on the consuming thread) for client-level errors: brokers unreachable, transport failures, failed
    /// automatic commits. Without a handler they go to the logger (nowhere without one). Fatal errors are
    /// also thrown by the consume calls.
    /// </summary>
    public event EventHandler<KafkaErrorEventArgs>? Error
    {
        add => _engine.Error += value;
        remove => _engine.Error -= value;
    }

    /// <summary>The consumer group, or null for a consumer without one (it reads the partitions it is given with <see cref="Assign(IEnumerable{TopicPartition})"/>).</summary>
    public string? GroupId => _engine.GroupId;

    /// <summary>The commit mode chosen in the options (<see cref="CommitMode.Manual"/> without a group: nothing is stored or committed then).</summary>
    public CommitMode CommitMode => _engine.CommitMode;

    /// <summary>librdkafka's name for this client (client.id plus a counter).</summary>
    public string Name => _engine.Name;

    /// <summary>This member's id in the group, or null before it has joined.</summary>
    public string? MemberId => _engine.MemberId;

    /// <summary>The partitions currently assigned: by the group (as of the last rebalance event) or by <see cref="Assign(IEnumerable{TopicPartition})"/>; sorted.</summary>
    public IReadOnlyList<TopicPartition> Assignment => _engine.Assignment;

    /// <summary>The topics and patterns subscribed to.</summary>
    public IReadOnlyList<string> Subscription => _engine.Subscription;

    /// <summary>Messages this consumer has handed out (in batches) and not yet released. For diagnostics.</summary>
    internal long OutstandingMessages => _engine.OutstandingMessages;

    /// <summary>True while a consume call owns the queue (for tests).</summary>
    internal bool IsConsuming => _engine.IsConsuming;

    /// <summary>Test hook: <paramref name="callback"/> runs once rd_kafka_destroy has returned (it must not reference this consumer).</summary>
    internal void OnNativeDestroyed(Action callback) => _engine.OnNativeDestroyed(callback);

    /// <summary>
    /// Subscribes to topics, replacing any previous subscription. An entry starting with '^' is a regular expression
    /// matched against all topic names (e.g. "^orders\\..*"). Partitions arrive through the group's rebalance
    /// (<see cref="PartitionsAssigned"/>) during consume calls. A topic that does not exist is reported by the
    /// consume calls as a <see cref="KafkaConsumeException"/> with <see cref="KafkaErrorCode.UnknownTopicOrPartition"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The list is empty, or a name is not a valid topic name or pattern.</exception>
    /// <exception cref="InvalidOperationException">The consumer has no <see cref="GroupId"/>, or partitions are assigned with Assign.</exception>
    public void Subscribe(IEnumerable<string> topics) => _engine.Subscribe(topics);

    /// <summary>Subscribes to topics (see <see cref="Subscribe(IEnumerable{string})"/>).</summary>
    public void Subscribe(params string[] topics) => _engine.Subscribe(topics);

    /// <summary>Leaves the subscription: the partitions are revoked (<see cref="PartitionsRevoked"/>) during the next consume call.</summary>
    public void Unsubscribe() => _engine.Unsubscribe();

    /// <summary>
    /// Commits stored offsets, leaves the group (raising <see cref="PartitionsRevoked"/> on this thread) and releases
    /// the client. A consume call running on another thread returns (empty) first. Idempotent.
    /// <para>
    /// In <see cref="CommitMode.Auto"/> the last batch returned counts as processed once it is disposed (as the
    /// documented loop's <c>using</c> does): Close stores and commits it, so the next member starts after it. A batch
    /// still held at Close is not stored (it may not be processed): it is delivered again (at-least-once).
    /// <see cref="Dispose"/> alone does not store that last batch either, since it may run while an exception leaves the loop.
    /// </para>
    /// <para>
    /// A failed final commit (the group is rebalancing, the member was fenced, the broker refused it) does not throw:
    /// it is raised as <see cref="Error"/> (or logged without a handler) and the consumer closes anyway; the
    /// partitions' next owner reads from the last committed offsets (at-least-once).
    /// </para>
    /// Blocks while the group is left (at most about the session timeout when brokers are unreachable).
    /// </summary>
    /// <exception cref="KafkaException">Leaving the group failed, or an event handler threw; the consumer is closed anyway.</exception>
    public void Close() => _engine.Close(throwErrors: true, acknowledgeLastBatch: true);

    /// <summary>
    /// Same as <see cref="Close"/>, but errors are logged (to the logger, if any) instead of being thrown, and in
    /// <see cref="CommitMode.Auto"/> the last batch returned is not stored (read again by the next owner).
    /// </summary>
    public void Dispose() => _engine.Close(throwErrors: false, acknowledgeLastBatch: false);

    /// <inheritdoc/>
    public override string ToString() => _engine.ToString();
}

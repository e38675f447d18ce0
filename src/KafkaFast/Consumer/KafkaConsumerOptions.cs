using KafkaFast.Configuration;
using static KafkaFast.Configuration.OptionRules;
namespace KafkaFast.Consumer;

/// <summary>
/// Settings of a <see cref="KafkaConsumer"/>, checked when the consumer is built: a bad value throws an
/// <see cref="ArgumentException"/> naming the setting and the reason (librdkafka's own for pass-through properties).
/// Values of properties whose name contains "password", "secret", "token", "ssl.key" or ".pem" never appear in
/// messages or <see cref="ToString"/>.
/// </summary>
public sealed class KafkaConsumerOptions
{
    /// <summary>Comma-separated host:port list (librdkafka's bootstrap.servers). Required.</summary>
    public string BootstrapServers { get; set; } = string.Empty;

    /// <summary>The consumer group (group.id). Required: members of a group share its partitions and its committed offsets.</summary>
    public string GroupId { get; set; } = string.Empty;

    /// <summary>client.id, shown in broker logs and metrics. Default "kafkafast".</summary>
    public string ClientId { get; set; } = "kafkafast";

    /// <summary>Where to start in partitions without a committed offset (auto.offset.reset). Default <see cref="AutoOffsetReset.Latest"/>.</summary>
    public AutoOffsetReset AutoOffsetReset { get; set; } = AutoOffsetReset.Latest;

    /// <summary>Who commits offsets. Default <see cref="CommitMode.Auto"/> (at-least-once: offsets are stored only for batches the application came back from).</summary>
    public CommitMode CommitMode { get; set; } = CommitMode.Auto;

    /// <summary>How often stored offsets are committed in <see cref="CommitMode.Auto"/> (auto.commit.interval.ms). Default 5 s.</summary>
    public TimeSpan AutoCommitInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Which transactional messages are visible (isolation.level). Default <see cref="IsolationLevel.ReadCommitted"/>.</summary>
    public IsolationLevel IsolationLevel { get; set; } = IsolationLevel.ReadCommitted;

    /// <summary>
    /// How partitions are spread over the group (partition.assignment.strategy). Default <see cref="PartitionAssignmentStrategy.Range"/> (eager).
    /// Not settable with Properties["group.protocol"] = "consumer" (KIP-848: the broker assigns, incrementally).
    /// </summary>
    public PartitionAssignmentStrategy PartitionAssignmentStrategy { get; set; } = PartitionAssignmentStrategy.Range;

    /// <summary>
    /// How long the group waits for a silent member before reassigning its partitions (session.timeout.ms). Default 45 s.
    /// Not settable with Properties["group.protocol"] = "consumer" (the broker sets it).
    /// </summary>
    public TimeSpan SessionTimeout { get; set; } = TimeSpan.FromSeconds(45);

    /// <summary>
    /// Longest time between two consume calls before the member is considered stuck and leaves the group
    /// (max.poll.interval.ms). A consume call that is waiting for messages counts as polling. Default 300 s.
    /// </summary>
    public TimeSpan MaxPollInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// librdkafka properties passed through as they are (e.g. "security.protocol", "fetch.max.bytes"); they override
    /// the settings above, except the ones KafkaFast manages (see the exception message if you hit one).
    /// </summary>
    public IDictionary<string, string> Properties { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Properties KafkaFast owns, and the setting to use instead (null: not settable).</summary>
    internal static readonly Dictionary<string, string?> ReservedProperties = new(StringComparer.Ordinal)
    {
        ["enable.auto.commit"] = nameof(CommitMode),
        ["enable.auto.offset.store"] = nameof(CommitMode),
        ["enable.partition.eof"] = null,
        ["log.queue"] = null,
        ["enabled_events"] = null,
        ["opaque"] = null,
        ["rebalance_cb"] = null,
        ["offset_commit_cb"] = null,
        ["error_cb"] = null,
        ["log_cb"] = null,
        ["consume_cb"] = null,
        ["background_event_cb"] = null,
        ["default_topic_conf"] = null,
    };

    /// <summary>True with Properties["group.protocol"] = "consumer" (KIP-848).</summary>
    internal bool UsesConsumerGroupProtocol =>
        Properties.TryGetValue("group.protocol", out string? protocol) && string.Equals(protocol, "consumer", StringComparison.OrdinalIgnoreCase);

    /// <summary>Whether a property's value must never be shown (logs, exceptions, ToString).</summary>
    internal static bool IsSecret(string key) =>
        key.Contains("password", StringComparison.OrdinalIgnoreCase) ||
        key.Contains("secret", StringComparison.OrdinalIgnoreCase) ||
        key.Contains("ssl.key", StringComparison.OrdinalIgnoreCase) ||
        key.Contains(".pem", StringComparison.OrdinalIgnoreCase) ||
        key.Contains("token", StringComparison.OrdinalIgnoreCase);

    /// <summary>Checks every setting that librdkafka does not check itself; throws naming the first bad one.</summary>
    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(BootstrapServers) && !Properties.ContainsKey("bootstrap.servers"))
        {
            throw new ArgumentException("BootstrapServers is required (host:port[,host:port...]); for the embedded cluster use KafkaMockCluster.BootstrapServers.", nameof(BootstrapServers));
        }

        if (string.IsNullOrWhiteSpace(GroupId) && !Properties.ContainsKey("group.id"))
        {
            throw new ArgumentException("GroupId is required: a consumer always belongs to a group (it shares partitions and committed offsets with its other members).", nameof(GroupId));
        }

        if (GroupId is not null && GroupId.Length > 0 && GroupId.Trim().Length != GroupId.Length)
        {
            throw new ArgumentException($"GroupId '{GroupId}' has leading or trailing white space; group ids are compared exactly.", nameof(GroupId));
        }

        Require(!string.IsNullOrWhiteSpace(ClientId), nameof(ClientId), "must not be empty");
        Require(Enum.IsDefined(AutoOffsetReset), nameof(AutoOffsetReset), $"unknown value {AutoOffsetReset}");
        Require(Enum.IsDefined(CommitMode), nameof(CommitMode), $"unknown value {CommitMode}");
        Require(Enum.IsDefined(IsolationLevel), nameof(IsolationLevel), $"unknown value {IsolationLevel}");
        Require(Enum.IsDefined(PartitionAssignmentStrategy), nameof(PartitionAssignmentStrategy), $"unknown value {PartitionAssignmentStrategy}");
        RequireDuration(AutoCommitInterval, nameof(AutoCommitInterval), TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(86_400_000));
        RequireDuration(SessionTimeout, nameof(SessionTimeout), TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(3_600_000));
        RequireDuration(MaxPollInterval, nameof(MaxPollInterval), TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(86_400_000));
        if (UsesConsumerGroupProtocol)
        {
            Require(PartitionAssignmentStrategy == PartitionAssignmentStrategy.Range, nameof(PartitionAssignmentStrategy),
                "cannot be set with group.protocol=consumer: the broker assigns partitions (choose its assignor with group.remote.assignor)");
            Require(SessionTimeout == TimeSpan.FromSeconds(45), nameof(SessionTimeout),
                "cannot be set with group.protocol=consumer: the broker's group.consumer.session.timeout.ms applies");
        }
        else if (MaxPollInterval < SessionTimeout)
        {
            throw new ArgumentException($"MaxPollInterval ({MaxPollInterval}) must be at least SessionTimeout ({SessionTimeout}).", nameof(MaxPollInterval));
        }

        foreach ((string key, string value) in Properties)
        {
            Require(!string.IsNullOrWhiteSpace(key), nameof(Properties), "contains an empty property name");
            Require(value is not null, nameof(Properties), $"property '{key}' has a null value");
            if (ReservedProperties.TryGetValue(key, out string? instead))
            {
                throw new ArgumentException(
                    instead is null
                        ? $"Property '{key}' is managed by KafkaFast (its consume loop, callbacks and zero-copy batches depend on it) and cannot be set."
                        : $"Property '{key}' is managed by KafkaFast: use KafkaConsumerOptions.{instead} instead.",
                    nameof(Properties));
            }
        }
    }

    /// <inheritdoc/>
    public override string ToString()
    {
        string properties = OptionRules.DescribeProperties(Properties, IsSecret);
        return $"BootstrapServers={BootstrapServers}, GroupId={GroupId}, ClientId={ClientId}, AutoOffsetReset={AutoOffsetReset}, " +
               $"CommitMode={CommitMode}, AutoCommitInterval={AutoCommitInterval}, IsolationLevel={IsolationLevel}, " +
               $"PartitionAssignmentStrategy={PartitionAssignmentStrategy}, SessionTimeout={SessionTimeout}, " +
               $"MaxPollInterval={MaxPollInterval}, Properties=[{properties}]";
    }
}

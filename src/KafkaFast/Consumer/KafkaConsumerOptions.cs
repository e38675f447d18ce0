using KafkaFast.Configuration;

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

    /// <summary>
    /// The consumer group (group.id): members of a group share its partitions and its committed offsets. Required to
    /// Subscribe, store or commit; leave it empty for a consumer that only reads partitions it is given with
    /// <see cref="KafkaConsumer.Assign(IEnumerable{TopicPartition})"/> (it commits nothing).
    /// </summary>
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

    /// <summary>The group id in effect (Properties["group.id"] wins over GroupId), or null for a consumer without a group.</summary>
    internal string? EffectiveGroupId =>
        Properties.TryGetValue("group.id", out string? id) && !string.IsNullOrWhiteSpace(id) ? id :
        string.IsNullOrEmpty(GroupId) ? null : GroupId;

    /// <summary>True with Properties["group.protocol"] = "consumer" (KIP-848).</summary>
    internal bool UsesConsumerGroupProtocol =>
        Properties.TryGetValue("group.protocol", out string? protocol) && string.Equals(protocol, "consumer", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Every setting that librdkafka does not check itself, all problems reported (the consumer's constructor throws
    /// the first). Pass-through properties are checked by librdkafka only when the consumer is built.
    /// </summary>
    /// <returns>The bad settings; empty when every setting is valid.</returns>
    public IReadOnlyList<OptionError> GetValidationErrors()
    {
        var errors = new OptionErrors();
        errors.Require(!string.IsNullOrWhiteSpace(BootstrapServers) || Properties.ContainsKey("bootstrap.servers"), nameof(BootstrapServers), BootstrapServers,
            "is required (host:port[,host:port...]); for the embedded cluster use KafkaMockCluster.BootstrapServers");
        errors.Require(GroupId is not null && (GroupId.Length == 0 || GroupId.Trim().Length > 0), nameof(GroupId), GroupId,
            "is white space: give a group id, or leave it empty for a consumer without a group (Assign only)");
        errors.Require(string.IsNullOrWhiteSpace(GroupId) || GroupId.Trim().Length == GroupId.Length, nameof(GroupId), GroupId,
            $"'{GroupId}' has leading or trailing white space; group ids are compared exactly");
        errors.Require(!Properties.TryGetValue("group.id", out string? groupProperty) || !string.IsNullOrWhiteSpace(groupProperty), nameof(Properties), groupProperty,
            "group.id is empty: set GroupId instead, or leave both empty for a consumer without a group");
        errors.Require(!string.IsNullOrWhiteSpace(ClientId), nameof(ClientId), ClientId, "must not be empty");
        errors.RequireDefined(AutoOffsetReset, nameof(AutoOffsetReset));
        errors.RequireDefined(CommitMode, nameof(CommitMode));
        errors.RequireDefined(IsolationLevel, nameof(IsolationLevel));
        errors.RequireDefined(PartitionAssignmentStrategy, nameof(PartitionAssignmentStrategy));
        errors.RequireDuration(AutoCommitInterval, nameof(AutoCommitInterval), TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(86_400_000));
        errors.RequireDuration(SessionTimeout, nameof(SessionTimeout), TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(3_600_000));
        errors.RequireDuration(MaxPollInterval, nameof(MaxPollInterval), TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(86_400_000));
        if (UsesConsumerGroupProtocol)
        {
            errors.Require(PartitionAssignmentStrategy == PartitionAssignmentStrategy.Range, nameof(PartitionAssignmentStrategy), PartitionAssignmentStrategy,
                "cannot be set with group.protocol=consumer: the broker assigns partitions (choose its assignor with group.remote.assignor)");
            errors.Require(SessionTimeout == TimeSpan.FromSeconds(45), nameof(SessionTimeout), SessionTimeout,
                "cannot be set with group.protocol=consumer: the broker's group.consumer.session.timeout.ms applies");
        }
        else
        {
            errors.Require(MaxPollInterval >= SessionTimeout, nameof(MaxPollInterval), MaxPollInterval,
                $"({MaxPollInterval}) must be at least SessionTimeout ({SessionTimeout})");
        }

        errors.RequireProperties(Properties, static key => KafkaProperties.ConsumerReserved.TryGetValue(key, out string? instead)
            ? instead is null
                ? "is managed by KafkaFast (its consume loop, callbacks and zero-copy batches depend on it) and cannot be set"
                : $"is managed by KafkaFast: use KafkaConsumerOptions.{instead} instead"
            : null);
        return errors.All;
    }

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first bad setting (<see cref="GetValidationErrors"/>).</summary>
    internal void Validate() => OptionErrors.ThrowFirst(GetValidationErrors());

    /// <inheritdoc/>
    public override string ToString()
    {
        string properties = KafkaProperties.Describe(Properties);
        return $"BootstrapServers={BootstrapServers}, GroupId={GroupId}, ClientId={ClientId}, AutoOffsetReset={AutoOffsetReset}, " +
               $"CommitMode={CommitMode}, AutoCommitInterval={AutoCommitInterval}, IsolationLevel={IsolationLevel}, " +
               $"PartitionAssignmentStrategy={PartitionAssignmentStrategy}, SessionTimeout={SessionTimeout}, " +
               $"MaxPollInterval={MaxPollInterval}, Properties=[{properties}]";
    }
}

using KafkaFast.Configuration;
using static KafkaFast.Configuration.OptionRules;
namespace KafkaFast.Producer;

/// <summary>
/// Settings of a <see cref="KafkaProducer"/>, checked when the producer is built: a bad value throws an
/// <see cref="ArgumentException"/> naming the setting and the reason (librdkafka's own for pass-through properties).
/// </summary>
public sealed class KafkaProducerOptions
{
    /// <summary>Smallest memory budget: two slabs per client.</summary>
    internal const int MinimumSlabsPerClient = 2;

    /// <summary>Comma-separated host:port list (librdkafka's bootstrap.servers). Required.</summary>
    public string BootstrapServers { get; set; } = string.Empty;

    /// <summary>client.id; with several clients each gets "-N" appended. Default "kafkafast".</summary>
    public string ClientId { get; set; } = "kafkafast";

    /// <summary>
    /// How many librdkafka client instances, each driven by its own dedicated worker thread. Partitions are spread
    /// over them (every message of a partition goes through the same client, so order holds). Default 1; 1..64.
    /// </summary>
    public int MaxClients { get; set; } = 1;

    /// <summary>
    /// Bytes of native memory for messages queued or in flight: keys, values, headers, a 48-byte record header each,
    /// and librdkafka's own per-message memory (charged here, so its queue limits are lifted). When it is full, calls are rejected or wait (see <see cref="OverflowPolicy"/>); it never grows.
    /// Default 64 MiB; at least two slabs per client (a slab holds message.max.bytes plus 64 KiB).
    /// </summary>
    public long MemoryBudgetBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>What awaitable calls do when the budget is full. Default <see cref="OverflowPolicy.Reject"/>.</summary>
    public OverflowPolicy OverflowPolicy { get; set; } = OverflowPolicy.Reject;

    /// <summary>How long a waiting call waits for budget space. Default 100 ms.</summary>
    public TimeSpan OverflowTimeout { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>How long librdkafka waits to fill a batch (linger.ms). Default 5 ms.</summary>
    public TimeSpan Linger { get; set; } = TimeSpan.FromMilliseconds(5);

    /// <summary>Acknowledgements required (acks). Default <see cref="Acks.All"/>.</summary>
    public Acks Acks { get; set; } = Acks.All;

    /// <summary>Idempotent producer: no duplicates and no reordering on retries (enable.idempotence). Default true.</summary>
    public bool EnableIdempotence { get; set; } = true;

    /// <summary>Batch compression (compression.type). Default none.</summary>
    public CompressionType Compression { get; set; } = CompressionType.None;

    /// <summary>How keyed messages are partitioned. Default <see cref="PartitionerType.ConsistentRandom"/> (librdkafka's).</summary>
    public PartitionerType Partitioner { get; set; } = PartitionerType.ConsistentRandom;

    /// <summary>Largest message (key + value + headers), as librdkafka's message.max.bytes. Default 1,000,000.</summary>
    public int MessageMaxBytes { get; set; } = 1_000_000;

    /// <summary>How long librdkafka tries to deliver a message before it fails (message.timeout.ms). Default 300 s.</summary>
    public TimeSpan MessageTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long <see cref="KafkaProducer.DisposeAsync"/> waits for messages in flight before purging them. Default 30 s.</summary>
    public TimeSpan CloseTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long <see cref="KafkaProducer.GetTopic"/> waits for a topic's metadata. Default 10 s.</summary>
    public TimeSpan MetadataTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How many undelivered messages <see cref="KafkaProducer.Failures"/> keeps for the application (oldest dropped first, counted). Default 1024.</summary>
    public int FailureBufferCapacity { get; set; } = 1024;

    /// <summary>
    /// librdkafka properties passed through as they are (e.g. "security.protocol", "sasl.mechanism",
    /// "statistics.interval.ms"); they override the settings above.
    /// </summary>
    public IDictionary<string, string> Properties { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Properties KafkaFast owns: setting them would break zero-copy or the accounting.</summary>
    internal static readonly HashSet<string> ReservedProperties = new(StringComparer.Ordinal)
    {
        "delivery.report.only.error", "dr_cb", "dr_msg_cb", "log.queue", "enabled_events", "opaque",
    };

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

        Require(MaxClients is >= 1 and <= 64, nameof(MaxClients), $"must be between 1 and 64 (was {MaxClients})");
        Require(MessageMaxBytes is >= 1000 and <= 1_000_000_000, nameof(MessageMaxBytes), $"must be between 1000 and 1000000000 (was {MessageMaxBytes})");
        long minimumBudget = (long)MinimumSlabsPerClient * MaxClients * SlabSize;
        Require(MemoryBudgetBytes >= minimumBudget, nameof(MemoryBudgetBytes),
            $"is {MemoryBudgetBytes} bytes; with MessageMaxBytes {MessageMaxBytes} and MaxClients {MaxClients} it must be at least {minimumBudget} (two slabs of {SlabSize} bytes per client)");
        Require(MemoryBudgetBytes <= 64L * 1024 * 1024 * 1024, nameof(MemoryBudgetBytes), "must be at most 64 GiB");
        Require(Enum.IsDefined(OverflowPolicy), nameof(OverflowPolicy), $"unknown value {OverflowPolicy}");
        Require(Enum.IsDefined(Acks), nameof(Acks), $"unknown value {Acks}");
        Require(Enum.IsDefined(Compression), nameof(Compression), $"unknown value {Compression}");
        Require(Enum.IsDefined(Partitioner), nameof(Partitioner), $"unknown value {Partitioner}");
        RequireDuration(OverflowTimeout, nameof(OverflowTimeout), TimeSpan.Zero, TimeSpan.FromHours(1));
        RequireDuration(Linger, nameof(Linger), TimeSpan.Zero, TimeSpan.FromMilliseconds(900_000));
        RequireDuration(MessageTimeout, nameof(MessageTimeout), TimeSpan.Zero, TimeSpan.FromMilliseconds(int.MaxValue));
        RequireDuration(CloseTimeout, nameof(CloseTimeout), TimeSpan.Zero, TimeSpan.FromHours(1));
        RequireDuration(MetadataTimeout, nameof(MetadataTimeout), TimeSpan.FromMilliseconds(1), TimeSpan.FromHours(1));
        Require(FailureBufferCapacity is >= 1 and <= 1_000_000, nameof(FailureBufferCapacity), $"must be between 1 and 1000000 (was {FailureBufferCapacity})");
        Require(!string.IsNullOrWhiteSpace(ClientId), nameof(ClientId), "must not be empty");
        if (EnableIdempotence && Acks != Acks.All)
        {
            throw new ArgumentException($"EnableIdempotence requires Acks = All (was {Acks}); set EnableIdempotence = false to use acks={(int)Acks}.", nameof(Acks));
        }

        foreach ((string key, string value) in Properties)
        {
            Require(!string.IsNullOrWhiteSpace(key), nameof(Properties), "contains an empty property name");
            Require(value is not null, nameof(Properties), $"property '{key}' has a null value");
            if (ReservedProperties.Contains(key))
            {
                throw new ArgumentException($"Property '{key}' is managed by KafkaFast (zero-copy buffers are reused only after each message's delivery report) and cannot be set.", nameof(Properties));
            }
        }
    }

    /// <summary>Bytes per slab: room for the largest message, its record header and its headers' framing.</summary>
    internal int SlabSize => checked((int)AlignUp((long)MessageMaxBytes + 64 * 1024, 64 * 1024));

    private static long AlignUp(long value, long alignment) => (value + alignment - 1) / alignment * alignment;

    /// <inheritdoc/>
    public override string ToString()
    {
        string properties = OptionRules.DescribeProperties(Properties, IsSecret);
        return $"BootstrapServers={BootstrapServers}, ClientId={ClientId}, MaxClients={MaxClients}, MemoryBudgetBytes={MemoryBudgetBytes}, " +
               $"OverflowPolicy={OverflowPolicy}, Linger={Linger}, Acks={Acks}, EnableIdempotence={EnableIdempotence}, " +
               $"Compression={Compression}, Partitioner={Partitioner}, Properties=[{properties}]";
    }
}

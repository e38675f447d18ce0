using KafkaFast.Configuration;

namespace KafkaFast.Producer;

/// <summary>
/// Settings of a <see cref="KafkaProducer"/>, checked when the producer is built: a bad value throws an
/// <see cref="ArgumentException"/> naming the setting and the reason (librdkafka's own for pass-through properties).
/// </summary>
public sealed class KafkaProducerOptions
{
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
    /// and, for messages handed to librdkafka, librdkafka's own per-message memory (charged here, so its queue limits
    /// are lifted). When it is full, calls are rejected or wait (see <see cref="OverflowPolicy"/>); it never grows.
    /// Default 64 MiB; at least two slabs per client (a slab holds message.max.bytes plus 64 KiB). See docs/PRODUCER.md.
    /// </summary>
    public long MemoryBudgetBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>What awaitable calls do when the budget is full. Default <see cref="OverflowPolicy.Reject"/>.</summary>
    public OverflowPolicy OverflowPolicy { get; set; } = OverflowPolicy.Reject;

    /// <summary>How long a waiting call waits for budget space. Default 100 ms.</summary>
    public TimeSpan OverflowTimeout { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>How long librdkafka waits to fill a batch (linger.ms). Default 5 ms.</summary>
    public TimeSpan Linger { get; set; } = TimeSpan.FromMilliseconds(5);

    /// <summary>
    /// How long messages without a key go to one randomly chosen partition before another is chosen (librdkafka's
    /// sticky.partitioning.linger.ms, which wins when set in <see cref="Properties"/>). A switch in the middle of a
    /// linger splits that batch into two requests, so the period is many lingers long: each request costs librdkafka
    /// and the broker a wake-up, a round trip and its framing, whatever its size. Zero: each keyless message gets a
    /// random partition; otherwise whole milliseconds, rounded up. Default null: 100 ms, or 20 lingers when that is
    /// longer (at most 900 s).
    /// </summary>
    public TimeSpan? StickyPartitioningLinger { get; set; }

    /// <summary>Acknowledgements required (acks). Default <see cref="Acks.All"/>.</summary>
    public Acks Acks { get; set; } = Acks.All;

    /// <summary>Idempotent producer: no duplicates and no reordering on retries (enable.idempotence). Default true.</summary>
    public bool EnableIdempotence { get; set; } = true;

    /// <summary>
    /// The partition gate (with <see cref="EnableIdempotence"/> only): each partition is handed to librdkafka at
    /// most one request's worth at a time, and the next only when every message handed before has its delivery
    /// report; the rest waits, in order, in the producer's own memory. This keeps an idempotent librdkafka from
    /// spinning a CPU core for a whole round trip whenever messages queue behind an in-flight request (against a
    /// slow cluster: ~9 µs of CPU per message flat out, ~1 ms per message at 2,000 msgs/s), at the same throughput.
    /// Default true; without idempotence there is no spin and the gate is not used. See docs/PRODUCER.md.
    /// </summary>
    public bool EnablePartitionGate { get; set; } = true;

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

    /// <summary>How long <see cref="KafkaProducer.GetTopic"/> and <see cref="KafkaProducer.GetTopicAsync"/> wait for a topic's metadata; after it the topic is returned pending (<see cref="KafkaTopic.IsPending"/>). Default 10 s.</summary>
    public TimeSpan MetadataTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How many undelivered messages <see cref="KafkaProducer.Failures"/> keeps for the application (oldest dropped first, counted). Default 1024.</summary>
    public int FailureBufferCapacity { get; set; } = 1024;

    /// <summary>
    /// Bytes of key and value copies the unread reports on <see cref="KafkaProducer.Failures"/> may hold (managed
    /// memory, outside <see cref="MemoryBudgetBytes"/>). A failure that would go past it is reported with its metadata
    /// only (<see cref="DeliveryFailure.BytesKept"/> false); reading reports frees their share. 0 never copies.
    /// Default 8 MiB; at most 1 GiB.
    /// </summary>
    public long FailureBufferBytes { get; set; } = 8L * 1024 * 1024;

    /// <summary>
    /// Called on the producer's worker thread with one delivery report in every <see cref="DeliveryReportSampleInterval"/>
    /// (per client): its topic, partition, outcome and latency, for delivery-latency metrics without awaiting a
    /// produce call. Keep it short and non-blocking: it runs on the thread that drives librdkafka. An observer that
    /// throws is logged once and skipped. Default null: no sampling.
    /// </summary>
    public Action<DeliveryReportSample>? DeliveryReportSampled { get; set; }

    /// <summary>How many delivery reports per sample handed to <see cref="DeliveryReportSampled"/>, per client (1..1,000,000). Default 100.</summary>
    public int DeliveryReportSampleInterval { get; set; } = 100;

    /// <summary>
    /// librdkafka properties passed through as they are (e.g. "security.protocol", "sasl.mechanism",
    /// "statistics.interval.ms"); they override the settings above.
    /// </summary>
    public IDictionary<string, string> Properties { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>
    /// Every setting that librdkafka does not check itself, all problems reported (the producer's constructor throws
    /// the first). Pass-through properties are checked by librdkafka only when the producer is built.
    /// </summary>
    /// <returns>The bad settings, in the order of this class's properties; empty when every setting is valid.</returns>
    public IReadOnlyList<OptionError> GetValidationErrors()
    {
        var errors = new OptionErrors();
        errors.Require(!string.IsNullOrWhiteSpace(BootstrapServers) || Properties.ContainsKey("bootstrap.servers"), nameof(BootstrapServers), BootstrapServers,
            "is required (host:port[,host:port...]); for the embedded cluster use KafkaMockCluster.BootstrapServers");
        errors.RequireRange(MaxClients, nameof(MaxClients), 1, 64);
        errors.RequireRange(MessageMaxBytes, nameof(MessageMaxBytes), 1000, 1_000_000_000);
        if (MaxClients is >= 1 and <= 64 && MessageMaxBytes is >= 1000 and <= 1_000_000_000)
        {
            long minimum = SlabSizing.MinimumBudget(MaxClients, MessageMaxBytes);
            errors.Require(MemoryBudgetBytes >= minimum, nameof(MemoryBudgetBytes), MemoryBudgetBytes,
                $"is {MemoryBudgetBytes} bytes; with MessageMaxBytes {MessageMaxBytes} and MaxClients {MaxClients} it must be at least {minimum} " +
                $"({SlabSizing.MinimumSlabsPerClient} slabs of {SlabSizing.SlabSize(MessageMaxBytes)} bytes per client)");
        }

        errors.Require(MemoryBudgetBytes <= MaximumBudgetBytes, nameof(MemoryBudgetBytes), MemoryBudgetBytes, $"must be at most 64 GiB (was {MemoryBudgetBytes})");
        errors.RequireDefined(OverflowPolicy, nameof(OverflowPolicy));
        errors.RequireDefined(Acks, nameof(Acks));
        errors.RequireDefined(Compression, nameof(Compression));
        errors.RequireDefined(Partitioner, nameof(Partitioner));
        errors.RequireDuration(OverflowTimeout, nameof(OverflowTimeout), TimeSpan.Zero, TimeSpan.FromHours(1));
        errors.RequireDuration(Linger, nameof(Linger), TimeSpan.Zero, TimeSpan.FromMilliseconds(900_000));
        if (StickyPartitioningLinger is { } sticky)
        {
            errors.RequireDuration(sticky, nameof(StickyPartitioningLinger), TimeSpan.Zero, MaximumStickyPartitioningLinger);
        }

        errors.RequireDuration(MessageTimeout, nameof(MessageTimeout), TimeSpan.Zero, TimeSpan.FromMilliseconds(int.MaxValue));
        errors.RequireDuration(CloseTimeout, nameof(CloseTimeout), TimeSpan.Zero, TimeSpan.FromHours(1));
        errors.RequireDuration(MetadataTimeout, nameof(MetadataTimeout), TimeSpan.FromMilliseconds(1), TimeSpan.FromHours(1));
        errors.RequireRange(FailureBufferCapacity, nameof(FailureBufferCapacity), 1, 1_000_000);
        errors.RequireRange(DeliveryReportSampleInterval, nameof(DeliveryReportSampleInterval), 1, 1_000_000);
        errors.RequireRange(FailureBufferBytes, nameof(FailureBufferBytes), 0, 1L << 30);
        errors.Require(!string.IsNullOrWhiteSpace(ClientId), nameof(ClientId), ClientId, "must not be empty");
        errors.Require(!EnableIdempotence || Acks == Acks.All || !Enum.IsDefined(Acks), nameof(Acks), Acks,
            $"is {Acks} but EnableIdempotence requires Acks = All; set EnableIdempotence to false to use acks={(int)Acks}");
        errors.RequireProperties(Properties, static key => KafkaProperties.ProducerReserved.Contains(key)
            ? "is managed by KafkaFast (zero-copy buffers are reused only after each message's delivery report) and cannot be set"
            : null);
        return errors.All;
    }

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first bad setting (<see cref="GetValidationErrors"/>).</summary>
    internal void Validate() => OptionErrors.ThrowFirst(GetValidationErrors());

    private const long MaximumBudgetBytes = 64L * 1024 * 1024 * 1024;

    /// <summary>librdkafka's range for sticky.partitioning.linger.ms.</summary>
    private static readonly TimeSpan MaximumStickyPartitioningLinger = TimeSpan.FromMilliseconds(900_000);

    /// <summary>
    /// The sticky period when none is set: at least 20 lingers, so that about one linger window in 20 spans a switch
    /// (librdkafka's fixed 10 ms default splits every other 5 ms window, and most 20 ms ones); 100 ms at least.
    /// </summary>
    internal TimeSpan EffectiveStickyPartitioningLinger =>
        StickyPartitioningLinger ?? TimeSpan.FromMilliseconds(Math.Min(MaximumStickyPartitioningLinger.TotalMilliseconds, Math.Max(100, 20 * Linger.TotalMilliseconds)));

    /// <summary>Bytes per slab: room for the largest message, its record header and its headers' framing.</summary>
    internal int SlabSize => SlabSizing.SlabSize(MessageMaxBytes);

    /// <inheritdoc/>
    public override string ToString()
    {
        string properties = KafkaProperties.Describe(Properties);
        return $"BootstrapServers={BootstrapServers}, ClientId={ClientId}, MaxClients={MaxClients}, MemoryBudgetBytes={MemoryBudgetBytes}, " +
               $"OverflowPolicy={OverflowPolicy}, Linger={Linger}, StickyPartitioningLinger={EffectiveStickyPartitioningLinger}, Acks={Acks}, EnableIdempotence={EnableIdempotence}, EnablePartitionGate={EnablePartitionGate}, " +
               $"Compression={Compression}, Partitioner={Partitioner}, Properties=[{properties}]";
    }
}

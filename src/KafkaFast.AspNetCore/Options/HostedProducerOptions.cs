using KafkaFast.Mock;
using KafkaFast.Producer;

namespace KafkaFast.AspNetCore.Options;

/// <summary>
/// One named producer of an application: the core <see cref="KafkaProducerOptions"/> plus what the host adds (topics
/// resolved at start-up, the embedded cluster, statistics, health thresholds). In configuration both are read from the
/// same section, e.g. <c>KafkaFast:Producers:Default</c>: <c>BootstrapServers</c>, <c>MemoryBudgetBytes</c>,
/// <c>Properties</c> and <c>Topics</c> sit side by side.
/// </summary>
public sealed class HostedProducerOptions
{
    /// <summary>The name of the producer used when none is given ("Default").</summary>
    public const string DefaultName = "Default";

    /// <summary>A <see cref="KafkaProducerOptions.BootstrapServers"/> value that means "start an embedded cluster" (same as <see cref="UseEmbeddedCluster"/>).</summary>
    public const string EmbeddedBootstrapServers = "embedded";

    /// <summary>The producer's own settings (bootstrap servers, memory budget, linger, librdkafka properties...).</summary>
    public KafkaProducerOptions Producer { get; } = new();

    /// <summary>
    /// Start an in-process <see cref="KafkaMockCluster"/> (librdkafka's mock brokers on 127.0.0.1) and use it instead
    /// of <see cref="KafkaProducerOptions.BootstrapServers"/>. For development, tests and demos: what it stores is
    /// lost when the process exits. Its shape is set under <c>KafkaFast:EmbeddedCluster</c>.
    /// </summary>
    public bool UseEmbeddedCluster { get; set; }

    /// <summary>
    /// Topics resolved when the host starts (a blocking metadata fetch each), so that no request waits for one. On the
    /// embedded cluster they are also created (consumers need them to exist).
    /// </summary>
    public IList<string> Topics { get; } = new List<string>();

    /// <summary>
    /// How often librdkafka publishes its statistics (statistics.interval.ms), which feed broker health, broker RTT and
    /// queue latency metrics. Default 5 s; zero turns them off (health then sees only counters). A
    /// <c>statistics.interval.ms</c> entry in <see cref="KafkaProducerOptions.Properties"/> wins over this.
    /// </summary>
    public TimeSpan StatisticsInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>When the health check reports degraded or unhealthy.</summary>
    public KafkaFastHealthOptions Health { get; } = new();

    /// <summary>Whether the embedded cluster is used, by <see cref="UseEmbeddedCluster"/> or by bootstrap servers "embedded".</summary>
    internal bool UsesEmbeddedCluster =>
        UseEmbeddedCluster || string.Equals(Producer.BootstrapServers.Trim(), EmbeddedBootstrapServers, StringComparison.OrdinalIgnoreCase);

    /// <inheritdoc/>
    /// <remarks>Secret librdkafka properties (passwords, keys, tokens) are shown as ***.</remarks>
    public override string ToString() =>
        $"UseEmbeddedCluster={UseEmbeddedCluster}, Topics=[{string.Join(", ", Topics)}], StatisticsInterval={StatisticsInterval}, " +
        $"Health=({Health}), {Producer}";
}

namespace KafkaFast.AspNetCore.Options;

/// <summary>
/// The embedded cluster shared by every producer that sets <see cref="HostedProducerOptions.UseEmbeddedCluster"/>
/// (configuration section <c>KafkaFast:EmbeddedCluster</c>). Started when the host starts, stopped after the producers
/// have closed.
/// </summary>
public sealed class KafkaFastEmbeddedClusterOptions
{
    /// <summary>How many brokers (1..64). Default 3.</summary>
    public int BrokerCount { get; set; } = 3;

    /// <summary>Partitions of each topic created from <see cref="HostedProducerOptions.Topics"/> (1..10000). Default 4.</summary>
    public int Partitions { get; set; } = 4;

    /// <inheritdoc/>
    public override string ToString() => $"BrokerCount={BrokerCount}, Partitions={Partitions}";
}

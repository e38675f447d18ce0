using KafkaFast.Mock;

namespace KafkaFast.Tool;

/// <summary>The cluster a command talks to: the one given with -b, or an embedded one that lives as long as the command.</summary>
internal sealed class ClusterConnection : IDisposable
{
    private readonly KafkaMockCluster? _embedded;

    private ClusterConnection(string bootstrap, KafkaMockCluster? embedded)
    {
        BootstrapServers = bootstrap;
        _embedded = embedded;
    }

    internal string BootstrapServers { get; }

    internal bool IsEmbedded => _embedded is not null;

    internal KafkaMockCluster? Embedded => _embedded;

    internal static ClusterConnection Open(string? bootstrap, ToolConsole console, int embeddedBrokers = 3)
    {
        if (!string.IsNullOrWhiteSpace(bootstrap))
        {
            return new ClusterConnection(bootstrap, null);
        }

        var cluster = new KafkaMockCluster(embeddedBrokers);
        console.Error.WriteLine($"% embedded cluster ({embeddedBrokers} brokers) at {cluster.BootstrapServers}; it lives as long as this command (use 'kafkafast mock' and -b to keep data)");
        return new ClusterConnection(cluster.BootstrapServers, cluster);
    }

    /// <summary>On the embedded cluster, creates the topic if it is not there (consumers need it; producers would create it with 4 partitions).</summary>
    internal void EnsureTopic(string topic, int partitions)
    {
        _embedded?.CreateTopic(topic, partitions);
    }

    public void Dispose() => _embedded?.Dispose();
}

namespace KafkaFast.Admin;

/// <summary>A topic to create with <see cref="KafkaAdminClient.CreateTopicsAsync"/>.</summary>
public sealed class NewTopic
{
    /// <summary>Creates the specification.</summary>
    /// <param name="name">The topic name (1..249 of [a-zA-Z0-9._-]).</param>
    /// <param name="partitions">Partition count (at least 1), or -1 for the broker's default (num.partitions).</param>
    /// <param name="replicationFactor">Copies of each partition (at least 1), or -1 for the broker's default.</param>
    public NewTopic(string name, int partitions = -1, short replicationFactor = -1)
    {
        Name = name;
        Partitions = partitions;
        ReplicationFactor = replicationFactor;
    }

    /// <summary>The topic name.</summary>
    public string Name { get; }

    /// <summary>Partition count, or -1 for the broker's default.</summary>
    public int Partitions { get; }

    /// <summary>Replication factor, or -1 for the broker's default.</summary>
    public short ReplicationFactor { get; }

    /// <summary>Topic configuration (e.g. "cleanup.policy" = "compact", "retention.ms"); the broker checks names and values.</summary>
    public IDictionary<string, string> Configs { get; } = new Dictionary<string, string>(StringComparer.Ordinal);
}

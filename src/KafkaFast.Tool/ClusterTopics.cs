using KafkaFast.Admin;

namespace KafkaFast.Tool;

/// <summary>What the tool asks the cluster before it reads or changes a topic: does it exist, and which partitions has it.</summary>
internal static class ClusterTopics
{
    /// <summary>An admin client for <paramref name="bootstrap"/> with the command's -X properties.</summary>
    internal static KafkaAdminClient Admin(string bootstrap, IReadOnlyDictionary<string, string> properties, TimeSpan timeout)
    {
        var options = new KafkaAdminClientOptions { BootstrapServers = bootstrap, RequestTimeout = timeout };
        foreach ((string key, string value) in properties)
        {
            options.Properties[key] = value;
        }

        return new KafkaAdminClient(options);
    }

    /// <summary>
    /// The topic's partition numbers, in order. Fails with one clear line when the cluster does not answer within
    /// the timeout or has no such topic.
    /// </summary>
    internal static async Task<int[]> PartitionsAsync(KafkaAdminClient admin, string bootstrap, string topic, CancellationToken cancellationToken)
    {
        ClusterMetadata metadata = await MetadataAsync(admin, bootstrap, cancellationToken).ConfigureAwait(false);
        TopicDescription? found = metadata.Topics.FirstOrDefault(t => t.Name == topic);
        if (found is null || found.Partitions.Count == 0)
        {
            string known = string.Join(", ", metadata.Topics.Where(t => !t.IsInternal).Take(10).Select(t => t.Name));
            throw new CommandFailedException($"topic '{topic}' does not exist at {bootstrap}{(known.Length > 0 ? $" (topics: {known}{(metadata.Topics.Count > 10 ? ", ..." : "")})" : " (no topics)")}");
        }

        return [.. found.Partitions.Select(p => p.Partition)];
    }

    /// <summary>The cluster's metadata, or one clear line when it does not answer.</summary>
    internal static async Task<ClusterMetadata> MetadataAsync(KafkaAdminClient admin, string bootstrap, CancellationToken cancellationToken)
    {
        try
        {
            return await admin.GetMetadataAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (KafkaAdminException e)
        {
            throw new CommandFailedException($"cannot reach the cluster at {bootstrap}: {e.Message}");
        }
    }
}

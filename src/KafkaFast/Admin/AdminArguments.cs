using KafkaFast.Configuration;

namespace KafkaFast.Admin;

/// <summary>Checks what callers pass to <see cref="KafkaAdminClient"/> before anything reaches librdkafka; each failure names the argument and the problem.</summary>
internal static class AdminArguments
{
    /// <summary>A non-empty list of valid, distinct topic names.</summary>
    internal static string[] Topics(IEnumerable<string> topics, string paramName)
    {
        ArgumentNullException.ThrowIfNull(topics, paramName);
        string[] list = [.. topics];
        if (list.Length == 0)
        {
            throw new ArgumentException("At least one topic is needed.", paramName);
        }

        foreach (string topic in list)
        {
            TopicName.Validate(topic, paramName);
        }

        ThrowIfDuplicate(list, "Topic", paramName);
        return list;
    }

    internal static string Group(string group, string paramName)
    {
        ArgumentNullException.ThrowIfNull(group, paramName);
        if (group.Length == 0 || group.Trim().Length != group.Length)
        {
            throw new ArgumentException(group.Length == 0
                ? "Group id is empty."
                : $"Group id '{group}' has leading or trailing white space; group ids are compared exactly.", paramName);
        }

        return group;
    }

    internal static string[] Groups(IEnumerable<string> groups, string paramName)
    {
        ArgumentNullException.ThrowIfNull(groups, paramName);
        string[] list = [.. groups];
        if (list.Length == 0)
        {
            throw new ArgumentException("At least one group is needed.", paramName);
        }

        foreach (string group in list)
        {
            Group(group, paramName);
        }

        ThrowIfDuplicate(list, "Group", paramName);
        return list;
    }

    internal static TopicPartition[] Partitions(IEnumerable<TopicPartition> partitions, string paramName, bool allowEmpty = false)
    {
        ArgumentNullException.ThrowIfNull(partitions, paramName);
        TopicPartition[] list = [.. partitions];
        if (list.Length == 0 && !allowEmpty)
        {
            throw new ArgumentException("At least one partition is needed.", paramName);
        }

        foreach (TopicPartition p in list)
        {
            Partition(p.Topic, p.Partition, paramName);
        }

        ThrowIfDuplicate(list.Select(p => p.ToString()).ToArray(), "Partition", paramName);
        return list;
    }

    internal static TopicPartitionOffset[] Offsets(IEnumerable<TopicPartitionOffset> offsets, string paramName)
    {
        ArgumentNullException.ThrowIfNull(offsets, paramName);
        TopicPartitionOffset[] list = [.. offsets];
        if (list.Length == 0)
        {
            throw new ArgumentException("At least one offset is needed.", paramName);
        }

        foreach (TopicPartitionOffset o in list)
        {
            Partition(o.Topic, o.Partition, paramName);
            if (o.Offset < 0)
            {
                throw new ArgumentOutOfRangeException(paramName, o.Offset,
                    $"Offset of {o.TopicPartition} must be an absolute offset (>= 0); use ListOffsetsAsync to find the earliest or latest one.");
            }
        }

        ThrowIfDuplicate(list.Select(o => o.TopicPartition.ToString()).ToArray(), "Partition", paramName);
        return list;
    }

    internal static NewTopic[] NewTopics(IEnumerable<NewTopic> topics, string paramName)
    {
        ArgumentNullException.ThrowIfNull(topics, paramName);
        NewTopic[] list = [.. topics];
        if (list.Length == 0)
        {
            throw new ArgumentException("At least one topic is needed.", paramName);
        }

        foreach (NewTopic topic in list)
        {
            ArgumentNullException.ThrowIfNull(topic, paramName);
            TopicName.Validate(topic.Name, paramName);
            if (topic.Partitions is 0 or < -1)
            {
                throw new ArgumentOutOfRangeException(paramName, topic.Partitions, $"Topic '{topic.Name}': partitions must be at least 1, or -1 for the broker's default.");
            }

            if (topic.ReplicationFactor is 0 or < -1)
            {
                throw new ArgumentOutOfRangeException(paramName, topic.ReplicationFactor, $"Topic '{topic.Name}': replication factor must be at least 1, or -1 for the broker's default.");
            }

            foreach ((string name, string value) in topic.Configs)
            {
                if (string.IsNullOrWhiteSpace(name) || value is null)
                {
                    throw new ArgumentException($"Topic '{topic.Name}': config '{name}' needs a name and a value.", paramName);
                }
            }
        }

        ThrowIfDuplicate(list.Select(t => t.Name).ToArray(), "Topic", paramName);
        return list;
    }

    internal static ConfigResource Resource(ConfigResource resource, string paramName)
    {
        if (!Enum.IsDefined(resource.Type))
        {
            throw new ArgumentOutOfRangeException(paramName, resource.Type, "Unknown resource type.");
        }

        if (string.IsNullOrWhiteSpace(resource.Name))
        {
            throw new ArgumentException($"The {resource.Type.ToString().ToLowerInvariant()} name is empty.", paramName);
        }

        if (resource.Type == ConfigResourceType.Topic)
        {
            TopicName.Validate(resource.Name, paramName);
        }

        return resource;
    }

    internal static ConfigAlteration[] Alterations(IEnumerable<ConfigAlteration> alterations, string paramName)
    {
        ArgumentNullException.ThrowIfNull(alterations, paramName);
        ConfigAlteration[] list = [.. alterations];
        if (list.Length == 0)
        {
            throw new ArgumentException("At least one alteration is needed.", paramName);
        }

        foreach (ConfigAlteration a in list)
        {
            if (string.IsNullOrWhiteSpace(a.Name))
            {
                throw new ArgumentException("A config alteration has no name.", paramName);
            }

            if (!Enum.IsDefined(a.Operation))
            {
                throw new ArgumentOutOfRangeException(paramName, a.Operation, $"Config '{a.Name}': unknown operation.");
            }

            if (a.Value is null && a.Operation != ConfigAlterationType.Delete)
            {
                throw new ArgumentException($"Config '{a.Name}': {a.Operation} needs a value.", paramName);
            }
        }

        ThrowIfDuplicate(list.Select(a => a.Name).ToArray(), "Config", paramName);
        return list;
    }

    private static void Partition(string topic, int partition, string paramName)
    {
        TopicName.Validate(topic, paramName);
        if (partition < 0)
        {
            throw new ArgumentOutOfRangeException(paramName, partition, $"Partition of '{topic}' must not be negative.");
        }
    }

    private static void ThrowIfDuplicate(string[] names, string kind, string paramName)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (string name in names)
        {
            if (!seen.Add(name))
            {
                throw new ArgumentException($"{kind} '{name}' is named twice.", paramName);
            }
        }
    }
}

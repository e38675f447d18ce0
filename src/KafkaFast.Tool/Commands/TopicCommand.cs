using System.CommandLine;
using System.Globalization;
using KafkaFast.Admin;

namespace KafkaFast.Tool.Commands;

/// <summary>kafkafast topic create|delete|list|describe|add-partitions: topics through <see cref="KafkaAdminClient"/>.</summary>
internal static class TopicCommand
{
    internal static Command Create(ToolConsole console)
    {
        var command = new Command("topic", "Create, delete, list, describe topics and add partitions (needs -b).");
        command.Subcommands.Add(CreateCommand(console));
        command.Subcommands.Add(DeleteCommand(console));
        command.Subcommands.Add(ListCommand(console));
        command.Subcommands.Add(DescribeCommand(console));
        command.Subcommands.Add(AddPartitionsCommand(console));
        return command;
    }

    private static Option<string[]> Topics(string description) => new("--topic", "-t") { Description = description, Required = true, Arity = ArgumentArity.OneOrMore };

    private static Command CreateCommand(ToolConsole console)
    {
        var connection = new AdminConnection();
        var topics = Topics("Topic to create (repeatable)");
        var partitions = new Option<int>("--partitions", "-p") { Description = "Partitions (default: the broker's num.partitions)", DefaultValueFactory = _ => -1 };
        var replication = new Option<short>("--replication-factor", "-r") { Description = "Copies of each partition (default: the broker's default.replication.factor)", DefaultValueFactory = _ => -1 };
        var configs = new Option<string[]>("--config") { Description = "A topic setting, name=value (repeatable), e.g. --config cleanup.policy=compact", Arity = ArgumentArity.ZeroOrMore };
        var command = new Command("create", "Create topics.");
        connection.AddTo(command);
        command.Options.Add(topics);
        command.Options.Add(partitions);
        command.Options.Add(replication);
        command.Options.Add(configs);
        command.SetAction(async (parsed, cancellationToken) =>
        {
            KeyValuePair<string, string>[] settings = NameValues(parsed.GetValue(configs) ?? [], "--config");
            var specs = new List<NewTopic>();
            foreach (string name in parsed.GetValue(topics)!)
            {
                var topic = new NewTopic(name, parsed.GetValue(partitions), parsed.GetValue(replication));
                foreach ((string key, string value) in settings)
                {
                    topic.Configs[key] = value;
                }

                specs.Add(topic);
            }

            using KafkaAdminClient admin = connection.Open(parsed);
            await admin.CreateTopicsAsync(specs, cancellationToken).ConfigureAwait(false);
            foreach (NewTopic topic in specs)
            {
                console.Error.WriteLine($"% created topic '{topic.Name}'");
            }

            return 0;
        });
        return command;
    }

    private static Command DeleteCommand(ToolConsole console)
    {
        var connection = new AdminConnection();
        var topics = Topics("Topic to delete, with its messages (repeatable)");
        var command = new Command("delete", "Delete topics and their messages.");
        connection.AddTo(command);
        command.Options.Add(topics);
        command.SetAction(async (parsed, cancellationToken) =>
        {
            string[] names = parsed.GetValue(topics)!;
            using KafkaAdminClient admin = connection.Open(parsed);
            await admin.DeleteTopicsAsync(names, cancellationToken).ConfigureAwait(false);
            foreach (string name in names)
            {
                console.Error.WriteLine($"% deleted topic '{name}'");
            }

            return 0;
        });
        return command;
    }

    private static Command ListCommand(ToolConsole console)
    {
        var connection = new AdminConnection();
        var all = new Option<bool>("--all") { Description = "Include Kafka's internal topics (__consumer_offsets...)" };
        var detailed = new Option<bool>("--long", "-l") { Description = "Name, partitions and replication factor, tab-separated" };
        var command = new Command("list", "List topics, one name per line.");
        connection.AddTo(command);
        command.Options.Add(all);
        command.Options.Add(detailed);
        command.SetAction(async (parsed, cancellationToken) =>
        {
            using KafkaAdminClient admin = connection.Open(parsed);
            ClusterMetadata metadata = await ClusterTopics.MetadataAsync(admin, connection.Bootstrap(parsed), cancellationToken).ConfigureAwait(false);
            foreach (TopicDescription topic in metadata.Topics.Where(t => parsed.GetValue(all) || !t.IsInternal))
            {
                console.Out.WriteLine(parsed.GetValue(detailed)
                    ? string.Create(CultureInfo.InvariantCulture, $"{topic.Name}\t{topic.Partitions.Count}\t{ReplicationFactor(topic)}")
                    : topic.Name);
            }

            return 0;
        });
        return command;
    }

    private static Command DescribeCommand(ToolConsole console)
    {
        var connection = new AdminConnection();
        var topics = Topics("Topic to describe (repeatable)");
        var withConfigs = new Option<bool>("--configs") { Description = "Also print the topic's settings that differ from the defaults (DescribeConfigs)" };
        var command = new Command("describe", "Partitions, leaders, replicas and in-sync replicas of topics (and their settings with --configs).");
        connection.AddTo(command);
        command.Options.Add(topics);
        command.Options.Add(withConfigs);
        command.SetAction(async (parsed, cancellationToken) =>
        {
            string[] names = parsed.GetValue(topics)!;
            string bootstrap = connection.Bootstrap(parsed);
            using KafkaAdminClient admin = connection.Open(parsed);
            ClusterMetadata metadata = await ClusterTopics.MetadataAsync(admin, bootstrap, cancellationToken).ConfigureAwait(false);
            string[] missing = [.. names.Where(n => metadata.Topics.All(t => t.Name != n))];
            if (missing.Length > 0)
            {
                throw new CommandFailedException($"no such topic at {bootstrap}: {string.Join(", ", missing.Select(m => $"'{m}'"))}");
            }

            foreach (TopicDescription topic in names.Select(n => metadata.Topics.First(t => t.Name == n)))
            {
                var o = console.Out;
                o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"topic {topic.Name}\tpartitions {topic.Partitions.Count}\treplication {ReplicationFactor(topic)}{(topic.IsInternal ? "\tinternal" : "")}"));
                foreach (TopicPartitionInfo p in topic.Partitions)
                {
                    o.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"  partition {p.Partition}\tleader {(p.Leader < 0 ? "none" : p.Leader)}\treplicas {string.Join(',', p.Replicas)}\tisr {string.Join(',', p.InSyncReplicas)}"));
                }

                if (parsed.GetValue(withConfigs))
                {
                    foreach (ConfigEntry entry in await admin.DescribeConfigsAsync(ConfigResource.Topic(topic.Name), cancellationToken).ConfigureAwait(false))
                    {
                        if (!entry.IsDefault)
                        {
                            o.WriteLine($"  config {entry.Name}={(entry.IsSensitive ? "(sensitive)" : entry.Value)}\t({entry.Source})");
                        }
                    }
                }
            }

            return 0;
        });
        return command;
    }

    private static Command AddPartitionsCommand(ToolConsole console)
    {
        var connection = new AdminConnection();
        var topic = new Option<string>("--topic", "-t") { Description = "Topic to grow", Required = true };
        var total = new Option<int>("--partitions", "-p") { Description = "The new total number of partitions (more than it has)", Required = true };
        total.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() < 1)
            {
                r.AddError("--partitions must be at least 1");
            }
        });
        var command = new Command("add-partitions", "Grow a topic to a total number of partitions (Kafka cannot remove partitions).");
        connection.AddTo(command);
        command.Options.Add(topic);
        command.Options.Add(total);
        command.SetAction(async (parsed, cancellationToken) =>
        {
            using KafkaAdminClient admin = connection.Open(parsed);
            await admin.CreatePartitionsAsync(parsed.GetValue(topic)!, parsed.GetValue(total), cancellationToken).ConfigureAwait(false);
            console.Error.WriteLine($"% topic '{parsed.GetValue(topic)}' now has {parsed.GetValue(total)} partitions");
            return 0;
        });
        return command;
    }

    private static int ReplicationFactor(TopicDescription topic) => topic.Partitions.Count == 0 ? 0 : topic.Partitions.Max(p => p.Replicas.Count);

    /// <summary>name=value pairs; a malformed one is a usage error naming the option.</summary>
    internal static KeyValuePair<string, string>[] NameValues(string[] specs, string option) =>
        [.. specs.Select(spec =>
        {
            int equals = spec.IndexOf('=', StringComparison.Ordinal);
            return equals > 0
                ? new KeyValuePair<string, string>(spec[..equals], spec[(equals + 1)..])
                : throw new UsageException($"{option} '{spec}': expected name=value");
        })];
}

using System.CommandLine;
using System.Globalization;
using KafkaFast.Admin;

namespace KafkaFast.Tool.Commands;

/// <summary>kafkafast group list|describe|reset-offsets: consumer groups through <see cref="KafkaAdminClient"/>, like kafka-consumer-groups.</summary>
internal static class GroupCommand
{
    internal static Command Create(ToolConsole console)
    {
        var command = new Command("group", "List and describe consumer groups, and move their committed offsets (needs -b).");
        command.Subcommands.Add(ListCommand(console));
        command.Subcommands.Add(DescribeCommand(console));
        command.Subcommands.Add(ResetOffsetsCommand(console));
        return command;
    }

    private static Option<string> Group() => new("--group", "-g") { Description = "The consumer group", Required = true };

    private static Option<string[]> TopicPartitions(string description, bool required) =>
        new("--topic", "-t") { Description = description, Required = required, Arity = required ? ArgumentArity.OneOrMore : ArgumentArity.ZeroOrMore };

    private static Command ListCommand(ToolConsole console)
    {
        var connection = new AdminConnection();
        var command = new Command("list", "List consumer groups: id and state, tab-separated.");
        connection.AddTo(command);
        command.SetAction(async (parsed, cancellationToken) =>
        {
            using KafkaAdminClient admin = connection.Open(parsed);
            foreach (ConsumerGroupListing group in await admin.ListConsumerGroupsAsync(cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                console.Out.WriteLine($"{group.GroupId}\t{group.State}{(group.IsSimpleConsumerGroup ? "\tsimple" : "")}");
            }

            return 0;
        });
        return command;
    }

    private static Command DescribeCommand(ToolConsole console)
    {
        var connection = new AdminConnection();
        var group = Group();
        var topics = TopicPartitions("Only these topics, topic or topic:0,1 (repeatable); default: every partition the group has offsets for", required: false);
        var command = new Command("describe", "A group's state and members, and per partition its committed offset, the log end and the lag.");
        connection.AddTo(command);
        command.Options.Add(group);
        command.Options.Add(topics);
        command.SetAction(async (parsed, cancellationToken) =>
        {
            string groupId = parsed.GetValue(group)!;
            string bootstrap = connection.Bootstrap(parsed);
            using KafkaAdminClient admin = connection.Open(parsed);
            ConsumerGroupDescription? description = null;
            try
            {
                description = (await admin.DescribeConsumerGroupsAsync([groupId], cancellationToken).ConfigureAwait(false))[0];
                console.Out.WriteLine($"group {description.GroupId}\tstate {description.State}\tassignor {(description.PartitionAssignor.Length == 0 ? "-" : description.PartitionAssignor)}" +
                                      $"\tmembers {description.Members.Count}\tcoordinator {(description.Coordinator is { } c ? c.Id.ToString(CultureInfo.InvariantCulture) : "-")}");
            }
            catch (KafkaAdminException e)
            {
                // The offsets can still be shown (e.g. the embedded cluster has no DescribeGroups).
                console.Error.WriteLine($"% members not known: {e.Message}");
            }

            TopicPartition[]? named = parsed.GetValue(topics) is { Length: > 0 } specs
                ? await PartitionsAsync(admin, bootstrap, specs, cancellationToken).ConfigureAwait(false)
                : null;
            IReadOnlyList<TopicPartitionOffset> committed = await admin.ListConsumerGroupOffsetsAsync(groupId, named, cancellationToken).ConfigureAwait(false);
            TopicPartitionOffset[] rows = [.. committed.Where(o => o.Offset >= 0 || named is not null)];
            Dictionary<TopicPartition, long> ends = await EndsAsync(admin, rows.Select(r => r.TopicPartition), cancellationToken).ConfigureAwait(false);
            console.Out.WriteLine("TOPIC\tPARTITION\tCURRENT-OFFSET\tLOG-END-OFFSET\tLAG\tMEMBER");
            foreach (TopicPartitionOffset row in rows)
            {
                long end = ends[row.TopicPartition];
                string current = row.Offset >= 0 ? row.Offset.ToString(CultureInfo.InvariantCulture) : "-";
                string lag = row.Offset >= 0 ? Math.Max(0, end - row.Offset).ToString(CultureInfo.InvariantCulture) : "-";
                string member = description?.Members.FirstOrDefault(m => m.Assignment.Contains(row.TopicPartition))?.MemberId ?? "-";
                console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{row.Topic}\t{row.Partition}\t{current}\t{end}\t{lag}\t{member}"));
            }

            if (rows.Length == 0)
            {
                console.Error.WriteLine($"% group '{groupId}' has no committed offsets{(named is null ? " (name topics with -t to ask about them)" : "")}");
            }

            return 0;
        });
        return command;
    }

    private static Command ResetOffsetsCommand(ToolConsole console)
    {
        var connection = new AdminConnection();
        var group = Group();
        var topics = TopicPartitions("Topic whose offsets to move, topic or topic:0,1 (repeatable)", required: true);
        var toEarliest = new Option<bool>("--to-earliest") { Description = "The oldest message still in each partition" };
        var toLatest = new Option<bool>("--to-latest") { Description = "The end of each partition (skip everything there now)" };
        var toOffset = new Option<long?>("--to-offset") { Description = "This offset in every partition (kept within earliest..latest)" };
        var toTimestamp = new Option<long?>("--to-timestamp") { Description = "The first message at or after this time, in ms since 1970-01-01 UTC (none: the end)" };
        var toDatetime = new Option<DateTimeOffset?>("--to-datetime") { Description = "Like --to-timestamp, as an ISO 8601 date and time, e.g. 2024-05-01T12:00:00Z" };
        var shiftBy = new Option<long?>("--shift-by") { Description = "Move each committed offset by N (negative: back; kept within earliest..latest)" };
        var execute = new Option<bool>("--execute") { Description = "Commit the new offsets; without it, only print the plan (dry run)" };
        var command = new Command("reset-offsets", "Move a group's committed offsets (the group's consumers must be stopped); a dry run unless --execute.");
        connection.AddTo(command);
        foreach (Option option in new Option[] { group, topics, toEarliest, toLatest, toOffset, toTimestamp, toDatetime, shiftBy, execute })
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parsed, cancellationToken) =>
        {
            int targets = new[] { parsed.GetValue(toEarliest), parsed.GetValue(toLatest), parsed.GetValue(toOffset) is not null,
                parsed.GetValue(toTimestamp) is not null, parsed.GetValue(toDatetime) is not null, parsed.GetValue(shiftBy) is not null }.Count(b => b);
            if (targets != 1)
            {
                throw new UsageException("give exactly one of --to-earliest, --to-latest, --to-offset, --to-timestamp, --to-datetime, --shift-by");
            }

            if (parsed.GetValue(toOffset) is < 0 || parsed.GetValue(toTimestamp) is < 0)
            {
                throw new UsageException("--to-offset and --to-timestamp must not be negative");
            }

            string groupId = parsed.GetValue(group)!;
            string bootstrap = connection.Bootstrap(parsed);
            using KafkaAdminClient admin = connection.Open(parsed);
            TopicPartition[] partitions = await PartitionsAsync(admin, bootstrap, parsed.GetValue(topics)!, cancellationToken).ConfigureAwait(false);
            IReadOnlyList<TopicPartitionOffset> committed = await admin.ListConsumerGroupOffsetsAsync(groupId, partitions, cancellationToken).ConfigureAwait(false);
            Dictionary<TopicPartition, long> earliest = await OffsetsAsync(admin, partitions, OffsetSpec.Earliest, cancellationToken).ConfigureAwait(false);
            Dictionary<TopicPartition, long> latest = await OffsetsAsync(admin, partitions, OffsetSpec.Latest, cancellationToken).ConfigureAwait(false);
            long? time = parsed.GetValue(toTimestamp) ?? parsed.GetValue(toDatetime)?.ToUnixTimeMilliseconds();
            Dictionary<TopicPartition, long>? atTime = time is long ms
                ? await OffsetsAsync(admin, partitions, OffsetSpec.ForTimestamp(ms), cancellationToken).ConfigureAwait(false)
                : null;

            var plan = new List<TopicPartitionOffset>();
            console.Out.WriteLine("TOPIC\tPARTITION\tCURRENT-OFFSET\tNEW-OFFSET");
            foreach (TopicPartitionOffset current in committed)
            {
                TopicPartition p = current.TopicPartition;
                long wanted = parsed.GetValue(toEarliest) ? earliest[p]
                    : parsed.GetValue(toLatest) ? latest[p]
                    : parsed.GetValue(toOffset) is long offset ? offset
                    : atTime is not null ? (atTime[p] >= 0 ? atTime[p] : latest[p]) // no message that recent: the end, as kafka-consumer-groups
                    : (current.Offset >= 0 ? current.Offset : earliest[p]) + parsed.GetValue(shiftBy)!.Value;
                long target = Math.Clamp(wanted, earliest[p], latest[p]);
                if (target != wanted)
                {
                    console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"% {p}: {wanted} is outside {earliest[p]}..{latest[p]}; using {target}"));
                }

                plan.Add(new TopicPartitionOffset(p, target));
                string was = current.Offset >= 0 ? current.Offset.ToString(CultureInfo.InvariantCulture) : "-";
                console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{p.Topic}\t{p.Partition}\t{was}\t{target}"));
            }

            if (!parsed.GetValue(execute))
            {
                console.Error.WriteLine($"% dry run: nothing committed; add --execute to set these offsets for group '{groupId}'");
                return 0;
            }

            await admin.AlterConsumerGroupOffsetsAsync(groupId, plan, cancellationToken).ConfigureAwait(false);
            console.Error.WriteLine($"% offsets of group '{groupId}' set for {plan.Count} partitions");
            return 0;
        });
        return command;
    }

    /// <summary>"topic" (every partition, from the metadata) or "topic:0,2"; unknown topics and partitions are named.</summary>
    private static async Task<TopicPartition[]> PartitionsAsync(KafkaAdminClient admin, string bootstrap, string[] specs, CancellationToken cancellationToken)
    {
        ClusterMetadata metadata = await ClusterTopics.MetadataAsync(admin, bootstrap, cancellationToken).ConfigureAwait(false);
        var result = new List<TopicPartition>();
        foreach (string spec in specs)
        {
            int colon = spec.IndexOf(':', StringComparison.Ordinal);
            string name = colon < 0 ? spec : spec[..colon];
            TopicDescription topic = metadata.Topics.FirstOrDefault(t => t.Name == name)
                ?? throw new CommandFailedException($"topic '{name}' does not exist at {bootstrap}");
            int[] all = [.. topic.Partitions.Select(p => p.Partition)];
            int[] chosen = colon < 0 ? all : [.. spec[(colon + 1)..].Split(',').Select(n =>
                int.TryParse(n, NumberStyles.None, CultureInfo.InvariantCulture, out int p)
                    ? (all.Contains(p) ? p : throw new CommandFailedException($"topic '{name}' has no partition {p} (it has {all.Length})"))
                    : throw new UsageException($"--topic '{spec}': expected topic or topic:partition,partition"))];
            result.AddRange(chosen.Select(p => new TopicPartition(name, p)));
        }

        return [.. result.Distinct()];
    }

    private static Task<Dictionary<TopicPartition, long>> EndsAsync(KafkaAdminClient admin, IEnumerable<TopicPartition> partitions, CancellationToken cancellationToken)
    {
        TopicPartition[] list = [.. partitions];
        return list.Length == 0 ? Task.FromResult(new Dictionary<TopicPartition, long>()) : OffsetsAsync(admin, list, OffsetSpec.Latest, cancellationToken);
    }

    private static async Task<Dictionary<TopicPartition, long>> OffsetsAsync(KafkaAdminClient admin, TopicPartition[] partitions, OffsetSpec spec, CancellationToken cancellationToken) =>
        (await admin.ListOffsetsAsync(partitions, spec, cancellationToken).ConfigureAwait(false)).ToDictionary(o => o.Partition, o => o.Offset);
}

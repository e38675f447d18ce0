using KafkaFast.Mock;

namespace KafkaFast.Tool.Tests;

/// <summary>
/// Process-level: kafkafast topic and group against the embedded cluster, for what it serves (metadata, offsets);
/// what it cannot serve (create/delete topics, add partitions, list/describe groups) ends in one clear error.
/// </summary>
public class TopicAndGroupCommandTests
{
    [Fact(Timeout = 180_000)]
    public async Task Topic_list_and_describe_show_what_the_cluster_holds()
    {
        using var cluster = new KafkaMockCluster(brokerCount: 3);
        cluster.CreateTopic("orders", partitions: 3, replicationFactor: 2);
        cluster.CreateTopic("audit", partitions: 1);

        var list = await KafkafastProcess.RunAsync([], "topic", "list", "-b", cluster.BootstrapServers);
        Assert.True(list.ExitCode == 0, list.ToString());
        Assert.Equal("audit\norders\n", list.OutputText);

        var detailed = await KafkafastProcess.RunAsync([], "topic", "list", "-b", cluster.BootstrapServers, "--long");
        Assert.Equal("audit\t1\t1\norders\t3\t2\n", detailed.OutputText);

        var describe = await KafkafastProcess.RunAsync([], "topic", "describe", "-b", cluster.BootstrapServers, "-t", "orders");
        Assert.True(describe.ExitCode == 0, describe.ToString());
        string[] lines = describe.OutputText.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("topic orders\tpartitions 3\treplication 2", lines[0]);
        Assert.Equal(3, lines.Count(l => l.StartsWith("  partition ", StringComparison.Ordinal)));
        Assert.All(lines.Skip(1), l => Assert.Matches(@"^  partition \d\tleader [1-3]\treplicas [1-3],[1-3]\tisr [1-3],[1-3]$", l));

        var missing = await KafkafastProcess.RunAsync([], "topic", "describe", "-b", cluster.BootstrapServers, "-t", "nope");
        Assert.Equal(1, missing.ExitCode);
        Assert.Equal($"error: no such topic at {cluster.BootstrapServers}: 'nope'", Assert.Single(missing.ErrorLines));
    }

    [Theory(Timeout = 180_000)]
    [InlineData("CreateTopics of topic 'fresh'", "topic", "create", "-t", "fresh", "-p", "3")]
    [InlineData("DeleteTopics of topic 'orders'", "topic", "delete", "-t", "orders")]
    [InlineData("CreatePartitions of topic 'orders'", "topic", "add-partitions", "-t", "orders", "-p", "6")]
    public async Task Topic_changes_the_embedded_cluster_cannot_serve_end_in_one_clear_error(string request, params string[] args)
    {
        using var cluster = new KafkaMockCluster(1);
        cluster.CreateTopic("orders", 2);

        var result = await KafkafastProcess.RunAsync([], [.. args, "-b", cluster.BootstrapServers, "--timeout", "2s"]);

        Assert.Equal(1, result.ExitCode);
        string error = Assert.Single(result.ErrorLines);
        Assert.StartsWith($"error: {request} failed: TimedOut: Failed while waiting for controller", error, StringComparison.Ordinal);
        Assert.Contains("mock cluster has none", error, StringComparison.Ordinal);
    }

    [Fact(Timeout = 180_000)]
    public async Task Group_list_on_the_embedded_cluster_says_it_is_unsupported()
    {
        using var cluster = new KafkaMockCluster(1);

        var result = await KafkafastProcess.RunAsync([], "group", "list", "-b", cluster.BootstrapServers);

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("error: ListConsumerGroups failed", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
        Assert.Contains("does not support ListConsumerGroups", result.Error, StringComparison.Ordinal);
    }

    [Fact(Timeout = 300_000)]
    public async Task Reset_offsets_is_a_dry_run_until_execute_and_the_group_then_starts_there()
    {
        using var cluster = new KafkaMockCluster(1);
        cluster.CreateTopic("ledger", 2);
        cluster.SetGroupInitialRebalanceDelay(TimeSpan.Zero);
        for (int p = 0; p < 2; p++)
        {
            Assert.Equal(0, (await Cli.RunAsync("a\nb\nc\n", "produce", "-b", cluster.BootstrapServers, "-t", "ledger", "-p", p.ToString(System.Globalization.CultureInfo.InvariantCulture))).ExitCode);
        }

        string b = cluster.BootstrapServers;
        var dryRun = await KafkafastProcess.RunAsync([], "group", "reset-offsets", "-b", b, "-g", "billing", "-t", "ledger:1", "--to-offset", "1");
        Assert.True(dryRun.ExitCode == 0, dryRun.ToString());
        Assert.Equal("TOPIC\tPARTITION\tCURRENT-OFFSET\tNEW-OFFSET\nledger\t1\t-\t1\n", dryRun.OutputText);
        Assert.Contains("dry run: nothing committed", dryRun.Error, StringComparison.Ordinal);
        var untouched = await KafkafastProcess.RunAsync([], "group", "describe", "-b", b, "-g", "billing", "-t", "ledger");
        Assert.Contains("ledger\t1\t-\t3\t-\t-\n", untouched.OutputText, StringComparison.Ordinal);

        var executed = await KafkafastProcess.RunAsync([], "group", "reset-offsets", "-b", b, "-g", "billing", "-t", "ledger:1", "--to-offset", "1", "--execute");
        Assert.True(executed.ExitCode == 0, executed.ToString());
        var earliest = await KafkafastProcess.RunAsync([], "group", "reset-offsets", "-b", b, "-g", "billing", "-t", "ledger:0", "--to-earliest", "--execute");
        Assert.Equal("TOPIC\tPARTITION\tCURRENT-OFFSET\tNEW-OFFSET\nledger\t0\t-\t0\n", earliest.OutputText);

        var described = await KafkafastProcess.RunAsync([], "group", "describe", "-b", b, "-g", "billing", "-t", "ledger");
        Assert.True(described.ExitCode == 0, described.ToString());
        Assert.Equal("TOPIC\tPARTITION\tCURRENT-OFFSET\tLOG-END-OFFSET\tLAG\tMEMBER\nledger\t0\t0\t3\t3\t-\nledger\t1\t1\t3\t2\t-\n", described.OutputText);
        Assert.Contains("% members not known: DescribeConsumerGroups failed", described.Error, StringComparison.Ordinal);

        var consumed = await KafkafastProcess.RunAsync([], "consume", "-b", b, "-t", "ledger", "-g", "billing", "-e", "-f", "%p:%o\\n");
        Assert.True(consumed.ExitCode == 0, consumed.ToString());
        Assert.Equal(["0:0", "0:1", "0:2", "1:1", "1:2"], Lines(consumed).Order(StringComparer.Ordinal));

        var shifted = await KafkafastProcess.RunAsync([], "group", "reset-offsets", "-b", b, "-g", "billing", "-t", "ledger:0", "--shift-by", "-5");
        Assert.Equal("TOPIC\tPARTITION\tCURRENT-OFFSET\tNEW-OFFSET\nledger\t0\t3\t0\n", shifted.OutputText);
        Assert.Contains("% ledger [0]: -2 is outside 0..3; using 0", shifted.Error, StringComparison.Ordinal);

        // Kafka changes offsets only of an empty group; the embedded broker refuses it for any group a consumer joined: one clear line.
        var refused = await KafkafastProcess.RunAsync([], "group", "reset-offsets", "-b", b, "-g", "billing", "-t", "ledger", "--to-latest", "--execute");
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("UnknownMemberId", Assert.Single(refused.ErrorLines), StringComparison.Ordinal);
        Assert.Contains("the group is not empty", refused.Error, StringComparison.Ordinal);
    }

    [Theory(Timeout = 120_000)]
    [InlineData("needs -b host:port", "topic", "list")]
    [InlineData("give exactly one of --to-earliest", "group", "reset-offsets", "-b", "127.0.0.1:1", "-g", "g", "-t", "t")]
    [InlineData("give exactly one of --to-earliest", "group", "reset-offsets", "-b", "127.0.0.1:1", "-g", "g", "-t", "t", "--to-earliest", "--to-latest")]
    [InlineData("--timeout 'soon'", "topic", "list", "-b", "127.0.0.1:1", "--timeout", "soon")]
    [InlineData("--config 'x': expected name=value", "topic", "create", "-b", "127.0.0.1:1", "-t", "t", "--config", "x")]
    public async Task Bad_admin_arguments_are_usage_errors(string message, params string[] args)
    {
        var result = await Cli.RunAsync("", args);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.Error.Split('\n')[0], StringComparison.Ordinal);
    }

    private static string[] Lines(KafkafastProcess.Result result) => result.OutputText.Split('\n', StringSplitOptions.RemoveEmptyEntries);
}

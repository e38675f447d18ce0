using KafkaFast.Mock;

namespace KafkaFast.Tool.Tests;

/// <summary>Process-level: a consumer stops when its reader goes away, an unreachable cluster ends in one clear error, bad command lines are named.</summary>
public class PipeAndErrorTests
{
    [Theory(Timeout = 240_000)]
    [InlineData(10, 3)] // more messages than head wants: the next write fails (EPIPE)
    [InlineData(3, 1)]  // everything written at once, then idle: the closed pipe is noticed without a write
    public async Task Consume_without_e_exits_when_head_closes_the_pipe(int messages, int lines)
    {
        using var cluster = new KafkaMockCluster(1);
        cluster.CreateTopic("piped", 1);
        string input = string.Concat(Enumerable.Range(0, messages).Select(i => $"message {i}\n"));
        Assert.Equal(0, (await KafkafastProcess.RunAsync(input, "produce", "-b", cluster.BootstrapServers, "-t", "piped")).ExitCode);

        var result = await KafkafastProcess.RunPipelineAsync($"kafkafast consume -b {cluster.BootstrapServers} -t piped | head -{lines}; echo \"exit ${{PIPESTATUS[0]}}\"");

        Assert.Equal(string.Concat(Enumerable.Range(0, lines).Select(i => $"message {i}\n")) + "exit 0\n", result.OutputText);
    }

    [Fact(Timeout = 180_000)]
    public async Task Text_output_into_a_closed_pipe_ends_quietly()
    {
        var result = await KafkafastProcess.RunPipelineAsync("kafkafast --help 2>/tmp/kafkafast-help-$$.err | head -1; echo \"exit ${PIPESTATUS[0]} $(wc -c < /tmp/kafkafast-help-$$.err)\"; rm -f /tmp/kafkafast-help-$$.err");

        Assert.Equal("Description:\nexit 0 0\n", result.OutputText);
    }

    [Fact(Timeout = 180_000)]
    public async Task Consume_from_an_unreachable_cluster_ends_with_one_clear_error()
    {
        var result = await KafkafastProcess.RunAsync([], "consume", "-b", "127.0.0.1:1", "-t", "nowhere", "-e", "--timeout", "3s");

        Assert.Equal(1, result.ExitCode);
        string error = Assert.Single(result.ErrorLines);
        Assert.StartsWith("error: cannot reach the cluster at 127.0.0.1:1: Metadata failed: ", error, StringComparison.Ordinal);
        Assert.Empty(result.Output);
    }

    [Fact(Timeout = 180_000)]
    public async Task Consume_with_e_from_a_partition_whose_leader_is_down_ends_printing_each_error_once()
    {
        using var cluster = new KafkaMockCluster(2);
        cluster.CreateTopic("leaderless", 1);
        cluster.SetPartitionLeader("leaderless", 0, 2);
        cluster.SetBrokerDown(2); // the metadata comes from broker 1; the partition's leader does not answer

        var result = await KafkafastProcess.RunAsync([], "consume", "-b", cluster.BootstrapServers, "-t", "leaderless", "-e", "--timeout", "3s");

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("error: ", result.ErrorLines[^1], StringComparison.Ordinal);
        string[] errors = [.. result.Error.Split('\n').Where(l => l.Contains("error", StringComparison.Ordinal))];
        Assert.Equal(errors.Distinct(), errors);
    }

    [Fact(Timeout = 180_000)]
    public async Task Consume_of_a_topic_that_does_not_exist_names_it()
    {
        using var cluster = new KafkaMockCluster(1);
        cluster.CreateTopic("present", 2);

        var result = await KafkafastProcess.RunAsync([], "consume", "-b", cluster.BootstrapServers, "-t", "absent", "-e");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal($"error: topic 'absent' does not exist at {cluster.BootstrapServers} (topics: present)", Assert.Single(result.ErrorLines));
    }

    [Theory(Timeout = 120_000)]
    [InlineData("error: unknown command 'frobnicate'", "kafkafast", "frobnicate")]
    [InlineData("error: unknown option '--frob'", "kafkafast produce", "produce", "-t", "x", "--frob")]
    [InlineData("error: unknown option '--frob'", "kafkafast consume", "consume", "--frob", "-t", "x")]
    [InlineData("error: unknown command 'frob'", "kafkafast topic", "topic", "frob")]
    [InlineData("error: unknown option '-q'", "kafkafast group list", "group", "list", "-q")]
    [InlineData("error: no command given; kafkafast takes one of: mock, produce, consume, topic, group, bench, gateway, demo", "kafkafast")]
    public async Task Unknown_commands_and_options_are_named_with_exit_code_2(string message, string usageOf, params string[] args)
    {
        var result = await KafkafastProcess.RunAsync([], args);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal([message, $"usage: see '{usageOf} --help'"], result.ErrorLines);
        Assert.Empty(result.Output);
    }
}

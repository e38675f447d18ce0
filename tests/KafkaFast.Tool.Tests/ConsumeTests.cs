using System.Text.Json;
using KafkaFast.Mock;

namespace KafkaFast.Tool.Tests;

public class ConsumeTests
{
    [Fact]
    public async Task Lines_produced_then_consumed_come_back_identical()
    {
        using var cluster = new KafkaMockCluster(1);
        cluster.CreateTopic("roundtrip", 3);
        cluster.SetGroupInitialRebalanceDelay(TimeSpan.Zero);
        string[] lines = Enumerable.Range(0, 10_000).Select(i => $"k{i % 97}|line {i} ünïcode").ToArray();
        var produced = await Cli.RunAsync(string.Join('\n', lines) + "\n", "produce", "-b", cluster.BootstrapServers, "-t", "roundtrip", "-K", "|", "-H", "origin=tool");
        Assert.True(produced.ExitCode == 0, produced.Error);

        var consumed = await Cli.RunAsync("", "consume", "-b", cluster.BootstrapServers, "-t", "roundtrip", "-e", "-f", "key-value", "-K", "|");
        Assert.True(consumed.ExitCode == 0, consumed.Error);
        string[] back = consumed.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(lines.Order(StringComparer.Ordinal), back.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Json_output_parses_and_carries_metadata_and_headers()
    {
        using var cluster = new KafkaMockCluster(1);
        cluster.CreateTopic("json", 1);
        cluster.SetGroupInitialRebalanceDelay(TimeSpan.Zero);
        Assert.Equal(0, (await Cli.RunAsync("a:1\nb:2\n", "produce", "-b", cluster.BootstrapServers, "-t", "json", "-K", ":", "-H", "h=v")).ExitCode);

        var consumed = await Cli.RunAsync("", "consume", "-b", cluster.BootstrapServers, "-t", "json", "-f", "json", "-c", "2");
        Assert.True(consumed.ExitCode == 0, consumed.Error);
        var events = consumed.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(["a", "b"], events.Select(e => e.GetProperty("key").GetString()));
        Assert.Equal(["1", "2"], events.Select(e => e.GetProperty("value").GetString()));
        Assert.Equal([0L, 1L], events.Select(e => e.GetProperty("offset").GetInt64()));
        Assert.All(events, e => Assert.Equal("json", e.GetProperty("topic").GetString()));
        Assert.All(events, e => Assert.Equal("v", e.GetProperty("headers")[0].GetProperty("value").GetString()));
    }

    [Fact]
    public async Task A_format_string_and_a_start_offset_select_what_is_printed()
    {
        using var cluster = new KafkaMockCluster(1);
        cluster.CreateTopic("fmt", 1);
        cluster.SetGroupInitialRebalanceDelay(TimeSpan.Zero);
        Assert.Equal(0, (await Cli.RunAsync("x\ny\nz\n", "produce", "-b", cluster.BootstrapServers, "-t", "fmt")).ExitCode);

        var consumed = await Cli.RunAsync("", "consume", "-b", cluster.BootstrapServers, "-t", "fmt", "-o", "1", "-e", "-f", "%p:%o=%s\\n");
        Assert.True(consumed.ExitCode == 0, consumed.Error);
        Assert.Equal("0:1=y\n0:2=z\n", consumed.Output);
    }

    [Theory]
    [InlineData("consume")]
    [InlineData("consume", "-t", "x", "-o", "yesterday")]
    [InlineData("consume", "-t", "x", "-o", "stored")]
    [InlineData("consume", "-t", "x", "-f", "nonsense")]
    [InlineData("consume", "-t", "x", "-c", "-1")]
    public async Task Bad_consume_arguments_exit_2(params string[] args) =>
        Assert.Equal(2, (await Cli.RunAsync("", args)).ExitCode);
}

using KafkaFast.Native;

namespace KafkaFast.Tool.Tests;

public class UsageTests
{
    [Theory]
    [InlineData("produce")]                              // --topic is required
    [InlineData("produce", "-t", "x", "--bogus")]
    [InlineData("produce", "-t", "x", "-X", "no-equals")]
    [InlineData("produce", "-t", "x", "-X", "linger.ms=soon")]
    [InlineData("produce", "-t", "x", "-K", "")]
    [InlineData("produce", "-t", "x", "/no/such/file")]
    [InlineData("produce", "-t", "bad topic")]
    [InlineData("mock", "--brokers", "0")]
    [InlineData("mock", "-t", "a:zero")]
    [InlineData("no-such-command")]
    public async Task Bad_arguments_exit_2_with_a_one_line_error_and_usage(params string[] args)
    {
        var result = await Cli.RunAsync("", args);
        Assert.Equal(2, result.ExitCode);
        string[] lines = result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith('%')).ToArray();
        Assert.StartsWith("error: ", lines[0], StringComparison.Ordinal);
        Assert.Contains("usage:", lines[1], StringComparison.Ordinal);
        Assert.Equal(2, lines.Length);
    }

    [Fact]
    public async Task Version_prints_the_tool_version_and_the_librdkafka_file_and_version_it_runs()
    {
        var result = await Cli.RunAsync("", "--version");

        Assert.True(result.ExitCode == 0, result.Error);
        string[] lines = result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(2, lines.Length);
        Assert.Matches(@"^kafkafast \d+\.\d+\.\d+", lines[0]);
        Assert.StartsWith($"librdkafka {LibrdkafkaLibrary.LoadedVersion.ToString(3)} {LibrdkafkaLibrary.LoadedPath} (librdkafka.redist {LibrdkafkaLibrary.MinimumVersion.ToString(3)}, ", lines[1], StringComparison.Ordinal);
        Assert.EndsWith("; the only librdkafka file mapped by this process", lines[1], StringComparison.Ordinal);
    }
}

namespace KafkaFast.Tool.Tests;

public class BenchTests
{
    [Theory]
    [InlineData("1")]
    [InlineData("50")]
    public async Task Bench_produce_delivers_every_message_and_prints_the_table(string batch)
    {
        var result = await Cli.RunAsync("", "bench", "produce", "-n", "20000", "--batch", batch);
        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains("| CPU per message (process) |", result.Output, StringComparison.Ordinal);
        Assert.Contains("| delivered / failed / in flight | 20,000 / 0 / 0 |", result.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("bench", "produce", "-n", "0")]
    [InlineData("bench", "produce", "--batch", "0")]
    [InlineData("bench")]
    public async Task Bad_bench_arguments_exit_2(params string[] args) =>
        Assert.Equal(2, (await Cli.RunAsync("", args)).ExitCode);
}

public class BenchConsumeTests
{
    [Fact]
    public async Task Bench_consume_reads_every_message_and_prints_the_table()
    {
        var result = await Cli.RunAsync("", "bench", "consume", "-n", "20000", "--partitions", "4");
        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains("| messages consumed | 20,000 ", result.Output, StringComparison.Ordinal);
        Assert.Contains("| CPU per message (process) |", result.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("bench", "consume", "-n", "0")]
    [InlineData("bench", "consume", "--batch", "0")]
    public async Task Bad_bench_consume_arguments_exit_2(params string[] args) =>
        Assert.Equal(2, (await Cli.RunAsync("", args)).ExitCode);
}

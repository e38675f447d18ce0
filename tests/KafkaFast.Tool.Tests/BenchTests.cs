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

    [Fact(Timeout = 300_000)]
    public async Task Bench_consume_passes_with_its_own_defaults_on_the_embedded_cluster()
    {
        // 1,000,000 messages of 100 bytes: with the old 16 partitions the embedded brokers dropped the oldest and the run failed.
        var result = await KafkafastProcess.RunAsync([], "bench", "consume");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("| messages consumed | 1,000,000 (100,000,000 value bytes) |", result.OutputText, StringComparison.Ordinal);
    }

    [Fact(Timeout = 300_000)]
    public async Task Bench_consume_sizes_the_embedded_topic_so_no_message_is_dropped()
    {
        // 1000 x 100 KB = 95 MiB: more than 16 partitions of 5 MiB keep (the old default lost the oldest and waited for them).
        var result = await Cli.RunAsync("", "bench", "consume", "-n", "1000", "-s", "100000");
        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains("| messages consumed | 1,000 ", result.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1_000_000, 100, 32)] // the defaults: 132 MB of records (generously counted) over 4 MiB each
    [InlineData(20_000, 100, 16)]
    [InlineData(1000, 100_000, 24)]
    public void The_default_partition_count_fits_the_messages_in_what_embedded_partitions_keep(long messages, int size, int partitions) =>
        Assert.Equal(partitions, Commands.BenchConsumeCommand.EmbeddedPartitions(messages, size, requested: 0, noFill: false));

    [Theory]
    [InlineData("bench", "consume", "-n", "0")]
    [InlineData("bench", "consume", "--batch", "0")]
    [InlineData("bench", "consume", "-n", "1000", "-s", "100000", "--partitions", "4")]
    public async Task Bad_bench_consume_arguments_exit_2(params string[] args) =>
        Assert.Equal(2, (await Cli.RunAsync("", args)).ExitCode);
}

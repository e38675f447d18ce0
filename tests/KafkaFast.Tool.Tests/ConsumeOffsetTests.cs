using KafkaFast.Mock;

namespace KafkaFast.Tool.Tests;

/// <summary>Process-level: where consume starts (-o) and stops (-e, e@), kcat's forms.</summary>
public class ConsumeOffsetTests
{
    [Fact(Timeout = 240_000)]
    public async Task Minus_N_prints_the_last_N_of_each_partition()
    {
        using var cluster = await FilledAsync("last-n", 8, 3);

        var result = await KafkafastProcess.RunAsync([], "consume", "-b", cluster.BootstrapServers, "-t", "last-n", "-o", "-5", "-e", "-f", "%p:%o:%s\\n");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(["0:3:p0-3", "0:4:p0-4", "0:5:p0-5", "0:6:p0-6", "0:7:p0-7", "1:0:p1-0", "1:1:p1-1", "1:2:p1-2"], Lines(result).Order(StringComparer.Ordinal));
    }

    [Fact(Timeout = 240_000)]
    public async Task An_offset_past_the_end_prints_nothing_and_a_partition_can_be_chosen()
    {
        using var cluster = await FilledAsync("chosen", 4, 6);

        var past = await KafkafastProcess.RunAsync([], "consume", "-b", cluster.BootstrapServers, "-t", "chosen", "-o", "100", "-e");
        Assert.True(past.ExitCode == 0, past.ToString());
        Assert.Empty(past.Output);

        var one = await KafkafastProcess.RunAsync([], "consume", "-b", cluster.BootstrapServers, "-t", "chosen", "-p", "1", "-o", "4", "-e");
        Assert.True(one.ExitCode == 0, one.ToString());
        Assert.Equal(["p1-4", "p1-5"], Lines(one));
    }

    [Fact(Timeout = 240_000)]
    public async Task E_at_a_time_stops_each_partition_at_its_first_message_from_that_time()
    {
        using var cluster = await FilledAsync("until", 3, 2);
        long past = DateTimeOffset.UtcNow.AddHours(-1).ToUnixTimeMilliseconds();
        long future = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeMilliseconds();

        // Every message is younger than an hour: each partition stops at its first message, printing nothing; no -e needed.
        var none = await KafkafastProcess.RunAsync([], "consume", "-b", cluster.BootstrapServers, "-t", "until", "-o", $"e@{past}");
        Assert.True(none.ExitCode == 0, none.ToString());
        Assert.Empty(none.Output);

        var all = await KafkafastProcess.RunAsync([], "consume", "-b", cluster.BootstrapServers, "-t", "until", "-o", "beginning", "-o", $"e@{future}", "-e");
        Assert.True(all.ExitCode == 0, all.ToString());
        Assert.Equal(5, Lines(all).Length);
    }

    [Fact(Timeout = 240_000)]
    public async Task S_at_a_time_starts_at_or_after_it()
    {
        using var cluster = await FilledAsync("since", 4);

        // The embedded cluster cannot look offsets up by time (it answers "none", so the start is the end); a real
        // broker starts at the first message. Either way the output is a tail of the partition, and it ends.
        var result = await KafkafastProcess.RunAsync([], "consume", "-b", cluster.BootstrapServers, "-t", "since", "-o", "s@0", "-e");
        Assert.True(result.ExitCode == 0, result.ToString());
        string[] expected = ["p0-0", "p0-1", "p0-2", "p0-3"];
        Assert.Equal(expected[(expected.Length - Lines(result).Length)..], Lines(result));
    }

    [Theory(Timeout = 120_000)]
    [InlineData("-o", "-0")]
    [InlineData("-o", "s@soon")]
    [InlineData("-o", "5", "-o", "end")]
    [InlineData("-o", "-5", "-g", "g")]
    [InlineData("-p", "0", "-g", "g")]
    public async Task Bad_offsets_are_usage_errors(params string[] args)
    {
        var result = await Cli.RunAsync("", ["consume", "-t", "x", .. args]);
        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("error: ", result.Error.Split('\n').First(l => !l.StartsWith('%')), StringComparison.Ordinal);
    }

    private static string[] Lines(KafkafastProcess.Result result) => result.OutputText.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>A cluster with one partition per count, partition p holding "p{p}-{i}" for i below its count.</summary>
    private static async Task<KafkaMockCluster> FilledAsync(string topic, params int[] counts)
    {
        var cluster = new KafkaMockCluster(1);
        cluster.CreateTopic(topic, counts.Length);
        for (int p = 0; p < counts.Length; p++)
        {
            string input = string.Concat(Enumerable.Range(0, counts[p]).Select(i => $"p{p}-{i}\n"));
            var produced = await Cli.RunAsync(input, "produce", "-b", cluster.BootstrapServers, "-t", topic, "-p", p.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Assert.True(produced.ExitCode == 0, produced.Error);
        }

        return cluster;
    }
}

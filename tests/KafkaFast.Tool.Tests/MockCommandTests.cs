using System.Text;

namespace KafkaFast.Tool.Tests;

/// <summary>Process-level: kafkafast mock serves until Ctrl+C and says what its partitions keep.</summary>
public class MockCommandTests
{
    [Fact(Timeout = 180_000)]
    public async Task Mock_prints_its_address_says_what_each_partition_keeps_and_stops_on_ctrl_c()
    {
        using KafkafastProcess mock = KafkafastProcess.Start("mock", "--brokers", "2", "-t", "events:3");
        await mock.WaitForErrorTextAsync("% running; Ctrl+C to stop");
        Assert.Contains("% topic events (3 partitions)", mock.ErrorSoFar, StringComparison.Ordinal);
        Assert.Contains("% each partition keeps its newest 5 MiB of messages; older ones are dropped", mock.ErrorSoFar, StringComparison.Ordinal);

        mock.CloseInput();
        mock.Interrupt();
        var result = await mock.WaitAsync();

        Assert.True(result.ExitCode == 0, result.ToString());
        string bootstrap = Encoding.UTF8.GetString(result.Output).Trim();
        Assert.Matches(@"^127\.0\.0\.1:\d+,127\.0\.0\.1:\d+$", bootstrap);
        Assert.Contains("% stopped", result.Error, StringComparison.Ordinal);
    }
}

using System.Text;
using Confluent.Kafka;
using KafkaFast.Mock;

namespace KafkaFast.Tool.Tests;

public class ProduceTests
{
    [Fact]
    public async Task Produces_lines_with_keys_and_headers_to_a_given_cluster()
    {
        using var cluster = new KafkaMockCluster(1);
        cluster.CreateTopic("lines", 3);
        string input = string.Join('\n', Enumerable.Range(0, 10_000).Select(i => $"key{i % 50}\tvalue {i} ✓")) + "\n";
        var result = await Cli.RunAsync(input, "produce", "-b", cluster.BootstrapServers, "-t", "lines", "-K", "\t", "-H", "source=test", "-H", "n=1");
        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains("10000 delivered, 0 failed", result.Error, StringComparison.Ordinal);

        using var consumer = new ConsumerBuilder<string, string>(new ConsumerConfig { BootstrapServers = cluster.BootstrapServers, GroupId = "t", EnablePartitionEof = true }).Build();
        consumer.Assign(Enumerable.Range(0, 3).Select(p => new Confluent.Kafka.TopicPartitionOffset("lines", p, Offset.Beginning)));
        var seen = new List<(string Key, string Value, int Partition)>();
        int eofs = 0;
        while (eofs < 3)
        {
            var r = consumer.Consume(TimeSpan.FromSeconds(10)) ?? throw new TimeoutException($"{seen.Count} read");
            if (r.IsPartitionEOF)
            {
                eofs++;
                continue;
            }

            Assert.Equal("test", Encoding.UTF8.GetString(r.Message.Headers.GetLastBytes("source")));
            seen.Add((r.Message.Key, r.Message.Value, r.Partition.Value));
        }

        Assert.Equal(10_000, seen.Count);
        Assert.Equal(Enumerable.Range(0, 10_000).Select(i => $"value {i} ✓").Order(), seen.Select(s => s.Value).Order());
        Assert.All(seen.GroupBy(s => s.Key), g => Assert.Single(g.Select(s => s.Partition).Distinct()));
    }

    [Fact]
    public async Task Failed_deliveries_give_a_summary_and_exit_code_1()
    {
        using var cluster = new KafkaMockCluster(1);
        cluster.CreateTopic("down", 1);
        string bootstrap = cluster.BootstrapServers;
        var run = Task.Run(async () =>
        {
            await Task.Delay(1500); // the producer has the topic's metadata by now
            cluster.SetBrokerDown(1);
        });
        using var slowInput = new SlowReader(["a", "b", "c"], TimeSpan.FromSeconds(2));
        var output = new StringWriter();
        var error = new StringWriter();
        int code = await KafkaFastCli.RunAsync(["produce", "-b", bootstrap, "-t", "down", "-X", "message.timeout.ms=1000"], slowInput, output, error);
        await run;
        Assert.Equal(1, code);
        Assert.Contains("3 failed", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("MessageTimedOut", error.ToString(), StringComparison.Ordinal);
    }

    /// <summary>Gives its lines only after a delay, so the test can break the cluster in between.</summary>
    private sealed class SlowReader(string[] lines, TimeSpan delay) : TextReader
    {
        private int _next;

        public override async ValueTask<string?> ReadLineAsync(CancellationToken cancellationToken)
        {
            if (_next == 0)
            {
                await Task.Delay(delay, cancellationToken);
            }

            return _next < lines.Length ? lines[_next++] : null;
        }
    }
}

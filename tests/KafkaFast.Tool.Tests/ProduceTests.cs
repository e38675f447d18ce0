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

    [Fact(Timeout = 180_000)]
    public async Task Failed_deliveries_give_a_summary_and_exit_code_1()
    {
        using var cluster = new KafkaMockCluster(1);
        cluster.CreateTopic("down", 1);
        using KafkafastProcess produce = KafkafastProcess.Start("produce", "-b", cluster.BootstrapServers, "-t", "down", "-X", "message.timeout.ms=1000");

        // Once the producer has the topic's metadata (it says so), the broker goes down; then the lines arrive.
        await produce.WaitForErrorTextAsync("% producing to 'down' (1 partitions)");
        cluster.SetBrokerDown(1);
        await produce.Input.WriteAsync("a\nb\nc\n"u8.ToArray());
        produce.CloseInput();
        var result = await produce.WaitAsync();

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("0 delivered, 3 failed", result.Error, StringComparison.Ordinal);
        Assert.Contains("3 failed: MessageTimedOut", result.Error, StringComparison.Ordinal);
    }
}

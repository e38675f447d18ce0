using KafkaFast.Tests.Support;

namespace KafkaFast.Tests.Producer;

public class ProducerSmokeTests
{
    [Fact]
    public async Task Produces_and_reads_back()
    {
        using var cluster = new KafkaMockCluster(3);
        cluster.CreateTopic("smoke", 3);
        await using var producer = new KafkaProducer(Producers.Options(cluster));
        var topic = producer.GetTopic("smoke");
        Assert.Equal(3, topic.PartitionCount);
        for (int i = 0; i < 1000; i++)
        {
            Assert.True(producer.TryProduce(topic, System.Text.Encoding.UTF8.GetBytes($"k{i}"), System.Text.Encoding.UTF8.GetBytes($"v{i}")));
        }

        await Producers.FlushOrFail(producer);
        var stats = producer.GetStatistics();
        Assert.Equal(1000, stats.Delivered);
        var messages = ReadBack.All(cluster.BootstrapServers, "smoke", 3, 1000);
        Assert.Equal(1000, messages.Select(m => System.Text.Encoding.UTF8.GetString(m.Value)).Distinct().Count());
    }
}

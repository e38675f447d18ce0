using Confluent.Kafka;
using KafkaFast.Mock;

namespace KafkaFast.Tests.Mock;

public class KafkaMockClusterTests
{
    [Fact]
    public void Starts_brokers_and_serves_metadata_to_an_independent_client()
    {
        using var cluster = new KafkaMockCluster(brokerCount: 3);
        cluster.CreateTopic("mock-metadata", partitions: 6);
        Assert.Contains("127.0.0.1:", cluster.BootstrapServers, StringComparison.Ordinal);

        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = cluster.BootstrapServers }).Build();
        var metadata = admin.GetMetadata("mock-metadata", TimeSpan.FromSeconds(10));
        Assert.Equal(3, metadata.Brokers.Count);
        Assert.Equal(6, Assert.Single(metadata.Topics).Partitions.Count);
    }

    [Theory]
    [InlineData("")]
    [InlineData("bad topic")]
    [InlineData("..")]
    public void Rejects_invalid_topic_names(string topic)
    {
        using var cluster = new KafkaMockCluster(1);
        Assert.Throws<ArgumentException>(() => cluster.CreateTopic(topic, 1));
    }

    [Fact]
    public void Rejects_unknown_broker_ids()
    {
        using var cluster = new KafkaMockCluster(2);
        Assert.Throws<ArgumentOutOfRangeException>(() => cluster.SetBrokerDown(3));
        Assert.Throws<ArgumentOutOfRangeException>(() => cluster.SetBrokerDown(0));
        cluster.SetBrokerDown(2);
        cluster.SetBrokerUp(2);
        cluster.SetBrokerRoundTripTime(1, TimeSpan.FromMilliseconds(5));
    }
}

using Confluent.Kafka;

namespace KafkaFast.AspNetCore.Benchmarks;

/// <summary>How many events a topic holds: the sum of its partitions' high watermarks, read with Confluent.Kafka.</summary>
internal static class Watermarks
{
    public static long Sum(string bootstrap, string topic)
    {
        using IConsumer<byte[], byte[]> consumer = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = "kafkafast-bench-watermarks", // required by the client; nothing is joined or committed
        }).Build();
        using IAdminClient admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrap }).Build();
        Metadata metadata = admin.GetMetadata(topic, TimeSpan.FromSeconds(30));
        long sum = 0;
        foreach (PartitionMetadata partition in metadata.Topics.Single().Partitions)
        {
            sum += consumer.QueryWatermarkOffsets(new Confluent.Kafka.TopicPartition(topic, partition.PartitionId), TimeSpan.FromSeconds(30)).High.Value;
        }

        return sum;
    }
}

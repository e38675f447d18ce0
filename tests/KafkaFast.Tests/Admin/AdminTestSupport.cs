using Confluent.Kafka;
using KafkaFast.Admin;
using KafkaFast.Mock;

namespace KafkaFast.Tests.Admin;

/// <summary>Admin tests: an embedded cluster, an admin client on it, and data written by an independent client (Confluent).</summary>
internal static class AdminTestSupport
{
    /// <summary>Every wait of these tests; far above what any call needs, so a hang fails by name.</summary>
    internal static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    internal static KafkaAdminClient Client(string bootstrap, TimeSpan? requestTimeout = null) =>
        new(new KafkaAdminClientOptions { BootstrapServers = bootstrap, RequestTimeout = requestTimeout ?? TimeSpan.FromSeconds(30) });

    /// <summary>Writes <paramref name="counts"/>[p] messages to each partition p with Confluent.Kafka.</summary>
    internal static void Fill(KafkaMockCluster cluster, string topic, params int[] counts)
    {
        using var producer = new ProducerBuilder<byte[]?, byte[]>(new ProducerConfig { BootstrapServers = cluster.BootstrapServers, LingerMs = 1 }).Build();
        for (int p = 0; p < counts.Length; p++)
        {
            for (int i = 0; i < counts[p]; i++)
            {
                producer.Produce(new Confluent.Kafka.TopicPartition(topic, p), new Message<byte[]?, byte[]> { Key = null, Value = [(byte)i] });
            }
        }

        if (producer.Flush(Patience) != 0)
        {
            throw new TimeoutException("Messages still in flight after the flush.");
        }
    }
}

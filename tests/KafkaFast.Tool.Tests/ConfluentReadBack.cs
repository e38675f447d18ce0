using Confluent.Kafka;

namespace KafkaFast.Tool.Tests;

/// <summary>Reads a whole topic with Confluent.Kafka (an independent client): what the brokers really hold, null and empty told apart.</summary>
internal static class ConfluentReadBack
{
    internal sealed record Record(int Partition, long Offset, byte[]? Key, byte[]? Value);

    internal static List<Record> All(string bootstrap, string topic, int partitions)
    {
        using var consumer = new ConsumerBuilder<byte[]?, byte[]?>(new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = "readback-" + Guid.NewGuid().ToString("N"),
            EnablePartitionEof = true,
            EnableAutoCommit = false,
        }).Build();
        consumer.Assign(Enumerable.Range(0, partitions).Select(p => new Confluent.Kafka.TopicPartitionOffset(topic, p, Offset.Beginning)));
        var records = new List<Record>();
        int eofs = 0;
        while (eofs < partitions)
        {
            ConsumeResult<byte[]?, byte[]?> r = consumer.Consume(TimeSpan.FromSeconds(30)) ?? throw new TimeoutException($"{records.Count} records read from {topic}, then nothing for 30 s");
            if (r.IsPartitionEOF)
            {
                eofs++;
                continue;
            }

            records.Add(new Record(r.Partition.Value, r.Offset.Value, r.Message.Key, r.Message.Value));
        }

        return [.. records.OrderBy(r => r.Partition).ThenBy(r => r.Offset)];
    }
}

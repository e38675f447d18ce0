using Confluent.Kafka;
using KafkaFast.Chaos.Messages;

namespace KafkaFast.Chaos.Reading;

/// <summary>Reads the topic with Confluent.Kafka, the independent second reader (manual assignment, no group).</summary>
internal sealed class ConfluentTopicReader(string bootstrap, string topic, int partitions, MessageVerifier verifier, ReadLedger ledger)
    : TopicReader("Confluent.Kafka", ledger)
{
    protected override void Run()
    {
        var config = new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            ClientId = "chaos-reader-confluent",
            GroupId = "chaos-confluent-reader-" + Guid.NewGuid().ToString("N"),
            EnableAutoCommit = false,
            AutoOffsetReset = Confluent.Kafka.AutoOffsetReset.Earliest,
        };
        using var consumer = new ConsumerBuilder<byte[], byte[]>(config)
            .SetErrorHandler((_, _) => Interlocked.Increment(ref ClientErrors))
            .SetLogHandler((_, _) => { })
            .Build();
        consumer.Assign(Enumerable.Range(0, partitions).Select(p => new Confluent.Kafka.TopicPartitionOffset(topic, p, Offset.Beginning)));
        while (!Stopping)
        {
            ConsumeResult<byte[], byte[]>? result = consumer.Consume(TimeSpan.FromMilliseconds(200));
            if (result is null || result.IsPartitionEOF)
            {
                continue;
            }

            int partition = result.Partition.Value;
            long offset = result.Offset.Value;
            if (!verifier.Verify(partition, result.Message.Key ?? [], result.Message.Value ?? [], out MessageId id, out MessageLayout layout, out string? problem))
            {
                Ledger.ObserveDamaged(partition, offset, problem!);
                continue;
            }

            Headers? headers = result.Message.Headers;
            int count = headers?.Count ?? 0;
            problem = count != layout.HeaderCount ? $"message {id}: {count} headers read, {layout.HeaderCount} sent" : null;
            for (int i = 0; problem is null && i < count; i++)
            {
                IHeader header = headers![i];
                problem = verifier.CheckHeader(id, i, header.Key, header.GetValueBytes());
            }

            if (problem is not null)
            {
                Ledger.ObserveDamaged(partition, offset, problem);
                continue;
            }

            Ledger.Observe(partition, offset, id);
        }

        consumer.Close();
    }
}

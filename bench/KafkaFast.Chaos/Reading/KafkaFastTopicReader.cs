using KafkaFast.Chaos.Messages;
using KafkaFast.Consumer;

namespace KafkaFast.Chaos.Reading;

/// <summary>Reads the topic with KafkaFast's <see cref="KafkaConsumer"/> (manual assignment, no group, batches of views).</summary>
internal sealed class KafkaFastTopicReader(string bootstrap, string topic, int partitions, MessageVerifier verifier, ReadLedger ledger)
    : TopicReader("KafkaConsumer", ledger)
{
    protected override void Run()
    {
        using var consumer = new KafkaConsumer(new KafkaConsumerOptions
        {
            BootstrapServers = bootstrap,
            ClientId = "chaos-reader-kafkafast",
            AutoOffsetReset = AutoOffsetReset.Earliest,
        }, Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance); // librdkafka's log lines stay off the console
        consumer.Error += (_, _) => Interlocked.Increment(ref ClientErrors);
        consumer.Assign(Enumerable.Range(0, partitions).Select(p => new TopicPartitionOffset(topic, p, KafkaOffset.Beginning)));
        while (!Stopping)
        {
            using ConsumedBatch batch = consumer.ConsumeBatch(2000, TimeSpan.FromMilliseconds(200));
            foreach (ConsumedMessage m in batch)
            {
                if (!verifier.Verify(m.Partition, m.Key, m.Value, out MessageId id, out MessageLayout layout, out string? problem))
                {
                    Ledger.ObserveDamaged(m.Partition, m.Offset, problem!);
                    continue;
                }

                ConsumedHeaders headers = m.Headers;
                problem = headers.Count != layout.HeaderCount ? $"message {id}: {headers.Count} headers read, {layout.HeaderCount} sent" : null;
                for (int i = 0; problem is null && i < headers.Count; i++)
                {
                    ConsumedHeader header = headers[i];
                    problem = verifier.CheckHeader(id, i, header.Name, header.Value);
                }

                if (problem is not null)
                {
                    Ledger.ObserveDamaged(m.Partition, m.Offset, problem);
                    continue;
                }

                Ledger.Observe(m.Partition, m.Offset, id);
            }
        }

        consumer.Close();
    }
}

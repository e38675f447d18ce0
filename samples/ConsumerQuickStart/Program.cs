// The README's consumer quick start, as a program: dotnet run --project samples/ConsumerQuickStart
using System.Text;
using KafkaFast;
using KafkaFast.Consumer;
using KafkaFast.Mock;
using KafkaFast.Producer;

// An embedded Kafka cluster (librdkafka's mock brokers on 127.0.0.1): no setup. Use your brokers instead in production.
using var cluster = new KafkaMockCluster(brokerCount: 3);
cluster.SetGroupInitialRebalanceDelay(TimeSpan.Zero); // brokers wait 3 s for more members by default
cluster.CreateTopic("requests", partitions: 6);

await using (var producer = new KafkaProducer(new KafkaProducerOptions { BootstrapServers = cluster.BootstrapServers }))
{
    KafkaTopic requests = producer.GetTopic("requests");
    for (int i = 0; i < 1000; i++)
    {
        producer.TryProduce(requests, $"client-{i % 10}", $"GET /api/orders/{i} 200");
    }

    await producer.FlushAsync(TimeSpan.FromSeconds(10));
}

using var consumer = new KafkaConsumer(new KafkaConsumerOptions
{
    BootstrapServers = cluster.BootstrapServers,
    GroupId = "order-enricher",
    AutoOffsetReset = AutoOffsetReset.Earliest, // no committed offset yet: start at the oldest message
    // CommitMode.Auto (default): a batch's offsets are stored when you ask for the next one (at-least-once).
});
consumer.PartitionsAssigned += (_, e) => Console.WriteLine($"assigned: {string.Join(", ", e.Partitions)}");
consumer.PartitionsRevoked += (_, e) => Console.WriteLine($"revoked: {string.Join(", ", e.Partitions)}");
consumer.Error += (_, e) => Console.WriteLine($"kafka error: {e}"); // brokers down etc.; librdkafka keeps retrying
consumer.Subscribe("requests");

// Batches of up to 500 messages, each as soon as one is available. The messages are views over librdkafka's
// memory: nothing is copied and nothing is allocated per message. They are valid until the batch is disposed.
int seen = 0;
using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
await foreach (ConsumedBatch batch in consumer.ConsumeBatchesAsync(maxMessages: 500, stop.Token))
{
    using (batch)
    {
        foreach (ConsumedMessage message in batch)
        {
            ReadOnlySpan<byte> key = message.Key, value = message.Value; // spans: no copy
            if (seen++ % 250 == 0)
            {
                Console.WriteLine($"{message.Topic} [{message.Partition}] @{message.Offset}: {Encoding.UTF8.GetString(key)} -> {Encoding.UTF8.GetString(value)}");
            }
        }

        batch.StoreOffsets(); // processed: commit it (asking for the next batch would do it too, but not a break)
    }

    if (seen == 1000)
    {
        break;
    }
}

IReadOnlyList<TopicPartitionOffset> committed = consumer.Commit(); // (Close would commit them too)
Console.WriteLine($"read {seen} messages; committed: {string.Join(", ", committed.Order())}");
consumer.Close(); // commits what is stored, leaves the group cleanly

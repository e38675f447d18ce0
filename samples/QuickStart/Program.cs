// The README's quick start, as a program: dotnet run --project samples/QuickStart
using KafkaFast.Mock;
using KafkaFast.Producer;

// An embedded Kafka cluster (librdkafka's mock brokers on 127.0.0.1): no setup. Use your brokers instead in production.
using var cluster = new KafkaMockCluster(brokerCount: 3);
cluster.CreateTopic("requests", partitions: 6);

await using var producer = new KafkaProducer(new KafkaProducerOptions
{
    BootstrapServers = cluster.BootstrapServers,
    MemoryBudgetBytes = 64 * 1024 * 1024, // native memory for messages in flight; full = refused, never growth
});
KafkaTopic topic = producer.GetTopic("requests"); // once, at start-up

// On the request path: copies the message once and returns. Never blocks, allocates nothing.
bool accepted = producer.TryProduce(topic, "client-42"u8, "GET /api/orders 200 3ms"u8);

// Serialize in place: the JSON is written straight into the producer's buffer.
producer.TryProduceJson(topic, "client-42"u8, (Path: "/api/orders", Status: 200), static (json, e) =>
{
    json.WriteStartObject();
    json.WriteString("path", e.Path);
    json.WriteNumber("status", e.Status);
    json.WriteEndObject();
});

// When the caller needs the broker's acknowledgement: awaitable, no thread held, no allocation.
DeliveryResult delivered = await producer.ProduceAsync(topic, "client-7"u8.ToArray(), "POST /api/pay 201"u8.ToArray());
Console.WriteLine($"accepted: {accepted}; awaited message stored at {delivered.Topic}[{delivered.Partition}] offset {delivered.Offset}");

await producer.FlushAsync(TimeSpan.FromSeconds(10));
Console.WriteLine(producer.GetStatistics());

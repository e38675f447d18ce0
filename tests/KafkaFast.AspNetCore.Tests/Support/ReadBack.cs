using System.Text.Json;
using Confluent.Kafka;

namespace KafkaFast.AspNetCore.Tests.Support;

/// <summary>Reads a topic back with Confluent.Kafka, an independent librdkafka-based consumer (until KafkaFast's consumer is on main).</summary>
internal static class ReadBack
{
    internal sealed record Event(int Partition, string Key, JsonElement Json, IReadOnlyList<(string Key, byte[] Value)> Headers, byte[] Value, bool KeyIsNull)
    {
        public string Str(string name) => Json.GetProperty(name).GetString()!;

        public bool Has(string name) => Json.TryGetProperty(name, out _);

        public byte[]? Header(string name) => Headers.FirstOrDefault(h => h.Key == name).Value;
    }

    /// <summary>Reads every partition from the beginning until <paramref name="expected"/> messages arrived, then checks that no more follow.</summary>
    internal static List<Event> Events(string bootstrap, string topic, int expected, TimeSpan? timeout = null)
    {
        var config = new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = "readback-" + Guid.NewGuid().ToString("N"),
            EnableAutoCommit = false,
            EnablePartitionEof = true,
        };
        using var consumer = new ConsumerBuilder<byte[], byte[]>(config).Build();
        int partitions = PartitionCount(bootstrap, topic);
        consumer.Assign(Enumerable.Range(0, partitions).Select(p => new Confluent.Kafka.TopicPartitionOffset(topic, p, Offset.Beginning)));
        var result = new List<Event>(expected);
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (result.Count < expected)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Read {result.Count} of {expected} events from {topic} before the timeout.");
            }

            ConsumeResult<byte[], byte[]>? consumed = consumer.Consume(TimeSpan.FromMilliseconds(200));
            if (consumed is null || consumed.IsPartitionEOF)
            {
                continue;
            }

            result.Add(ToEvent(consumed));
        }

        // Nothing more than expected may arrive.
        var settle = DateTime.UtcNow + TimeSpan.FromMilliseconds(500);
        while (DateTime.UtcNow < settle)
        {
            ConsumeResult<byte[], byte[]>? extra = consumer.Consume(TimeSpan.FromMilliseconds(100));
            if (extra is not null && !extra.IsPartitionEOF)
            {
                throw new InvalidOperationException($"More than {expected} events in {topic}: also {System.Text.Encoding.UTF8.GetString(extra.Message.Value)}");
            }
        }

        return result;
    }

    private static Event ToEvent(ConsumeResult<byte[], byte[]> consumed)
    {
        using JsonDocument document = JsonDocument.Parse(consumed.Message.Value);
        var headers = consumed.Message.Headers?.Select(h => (h.Key, h.GetValueBytes())).ToList() ?? [];
        return new Event(consumed.Partition.Value, consumed.Message.Key is null ? string.Empty : System.Text.Encoding.UTF8.GetString(consumed.Message.Key),
            document.RootElement.Clone(), headers, consumed.Message.Value, consumed.Message.Key is null);
    }

    private static int PartitionCount(string bootstrap, string topic)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrap }).Build();
        Metadata metadata = admin.GetMetadata(topic, TimeSpan.FromSeconds(10));
        return metadata.Topics.Single().Partitions.Count;
    }
}

using Confluent.Kafka;

namespace KafkaFast.Tests.Support;

/// <summary>Reads a topic back with Confluent.Kafka, an independent librdkafka-based consumer.</summary>
internal static class ReadBack
{
    /// <summary>A message read back; Key and Value are empty for null, which <see cref="IsKeyNull"/> and <see cref="IsValueNull"/> tell apart.</summary>
    internal sealed record Message(int Partition, long Offset, byte[] Key, byte[] Value, IReadOnlyList<(string Key, byte[] Value)> Headers, DateTime Timestamp)
    {
        public bool IsKeyNull { get; init; }

        public bool IsValueNull { get; init; }
    }

    /// <summary>Reads every partition from the beginning until <paramref name="expected"/> messages arrived (or fails after the timeout).</summary>
    internal static List<Message> All(string bootstrap, string topic, int partitions, int expected, TimeSpan? timeout = null)
    {
        var config = new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = "readback-" + Guid.NewGuid().ToString("N"),
            EnableAutoCommit = false,
            EnablePartitionEof = true,
            FetchMaxBytes = 64 * 1024 * 1024,
            MessageMaxBytes = 64 * 1024 * 1024,
        };
        using var consumer = new ConsumerBuilder<byte[], byte[]>(config).Build();
        consumer.Assign(Enumerable.Range(0, partitions).Select(p => new Confluent.Kafka.TopicPartitionOffset(topic, p, Offset.Beginning)));
        var result = new List<Message>(expected);
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (result.Count < expected)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Read {result.Count} of {expected} messages from {topic} before the timeout.");
            }

            var consumed = consumer.Consume(TimeSpan.FromMilliseconds(200));
            if (consumed is null || consumed.IsPartitionEOF)
            {
                continue;
            }

            var headers = consumed.Message.Headers?.Select(h => (h.Key, h.GetValueBytes())).ToList() ?? [];
            result.Add(new Message(consumed.Partition.Value, consumed.Offset.Value, consumed.Message.Key ?? [], consumed.Message.Value ?? [], headers, consumed.Message.Timestamp.UtcDateTime)
            {
                IsKeyNull = consumed.Message.Key is null,
                IsValueNull = consumed.Message.Value is null,
            });
        }

        // Nothing more than expected may arrive (no duplicates).
        var extra = consumer.Consume(TimeSpan.FromMilliseconds(300));
        while (extra is not null && extra.IsPartitionEOF)
        {
            extra = consumer.Consume(TimeSpan.FromMilliseconds(100));
        }

        if (extra is not null)
        {
            throw new InvalidOperationException($"More than {expected} messages in {topic}: got one at {extra.TopicPartitionOffset}.");
        }

        return result;
    }
}

using System.Diagnostics;
using KafkaFast.Consumer;
using KafkaFast.Mock;
using KafkaFast.Producer;
using KafkaFast.Tests.Support;
using Xunit.Abstractions;
using static KafkaFast.Tests.Consumer.ConsumerTestSupport;

namespace KafkaFast.Tests.Consumer;

/// <summary>
/// Steady-state consuming allocates nothing per message: at most a small constant per batch. Runs alone, after the
/// parallel tests, so the process-wide count of the async test means something.
/// </summary>
[Collection(SerialTests.Name)]
public class ConsumerAllocationTests(ITestOutputHelper output)
{
    private const int Messages = 1_000_000;
    /// <summary>The mock broker keeps at most 5 MB per partition (older data is dropped): 16 partitions hold a million small messages.</summary>
    private const int Partitions = 16;

    /// <summary>Bytes a consume call may allocate, whatever its batch size (measured: 0 in steady state).</summary>
    private const int AllowedBytesPerCall = 32;

    /// <summary>Produces <paramref name="count"/> small messages with the KafkaFast producer's batch call.</summary>
    internal static async Task ProduceMany(KafkaMockCluster cluster, string topic, int count)
    {
        await using var producer = new KafkaProducer(new KafkaProducerOptions { BootstrapServers = cluster.BootstrapServers, Linger = TimeSpan.FromMilliseconds(5) });
        KafkaTopic handle = producer.GetTopic(topic);
        var messages = new ProducerMessage[1000];
        byte[] value = new byte[8];
        for (int i = 0; i < messages.Length; i++)
        {
            messages[i] = new ProducerMessage(BitConverter.GetBytes(i), value) { Partition = i % Partitions };
        }

        var clock = Stopwatch.StartNew();
        int produced = 0;
        while (produced < count)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"produced only {produced} of {count}");
            int accepted = producer.TryProduceBatch(handle, messages.AsSpan(0, Math.Min(messages.Length, count - produced)));
            produced += accepted;
            if (accepted < messages.Length && produced < count)
            {
                await producer.FlushAsync(TimeSpan.FromSeconds(30)); // budget full: let deliveries free it
            }
        }

        Assert.Equal(0, await producer.FlushAsync(TimeSpan.FromSeconds(60)));
    }

    [Fact]
    public async Task Consuming_a_million_messages_allocates_at_most_a_small_constant_per_batch()
    {
        using var cluster = NewCluster();
        string topic = Unique("alloc");
        cluster.CreateTopic(topic, Partitions);
        await ProduceMany(cluster, topic, Messages);

        KafkaConsumerOptions options = Options(cluster, Unique("group"), CommitMode.Auto);
        options.AutoCommitInterval = TimeSpan.FromMinutes(10); // no automatic-commit callbacks (and their result lists) during the measurement
        using var consumer = new KafkaConsumer(options);
        consumer.Subscribe(topic);

        // Warm up: assignment, JIT, topic-name cache, batch pool, native slot arrays.
        long checksum = 0;
        int consumed = 0;
        var clock = Stopwatch.StartNew();
        while (consumed < 10_000)
        {
            Assert.True(clock.Elapsed < Patience, $"warm-up read {consumed} messages");
            consumed += Read(consumer, ref checksum);
        }

        long calls = 0;
        long before = GC.GetAllocatedBytesForCurrentThread();
        long cpuBefore = Environment.CpuUsage.TotalTime.Ticks;
        var measured = Stopwatch.StartNew();
        while (consumed < Messages)
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(90))
            {
                Assert.Fail($"read {consumed} of {Messages}"); // (no message string is built unless it fails: it would be measured)
            }

            consumed += Read(consumer, ref checksum);
            calls++;
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        measured.Stop();
        output.WriteLine($"{Messages - 10_000:N0}+ messages in {calls:N0} calls, {measured.Elapsed.TotalMilliseconds:N0} ms wall, " +
            $"{allocated:N0} bytes allocated ({(double)allocated / calls:N2} per call, {(double)allocated / (Messages - 10_000):N4} per message); " +
            $"process CPU {(Environment.CpuUsage.TotalTime.Ticks - cpuBefore) / 10_000:N0} ms (includes librdkafka and the mock broker)");

        Assert.Equal(Messages, consumed);
        Assert.NotEqual(0, checksum);
        Assert.True(allocated <= calls * AllowedBytesPerCall,
            $"{allocated:N0} bytes allocated over {calls:N0} consume calls ({(double)allocated / calls:N1} per call); allowed {AllowedBytesPerCall} per call");
    }

    /// <summary>One batch, touching every view member that must not allocate.</summary>
    private static int Read(KafkaConsumer consumer, ref long checksum)
    {
        using ConsumedBatch batch = consumer.ConsumeBatch(2000, TimeSpan.FromMilliseconds(500));
        foreach (ConsumedMessage m in batch)
        {
            checksum += m.Offset + m.Partition + m.Key.Length + m.Value.Length + m.Topic.Length + m.Headers.Count + m.Timestamp.UnixTimeMilliseconds % 7;
        }

        return batch.Count;
    }

    [Fact]
    public async Task The_async_batch_sequence_allocates_at_most_a_small_constant_per_batch()
    {
        const int count = 200_000;
        using var cluster = NewCluster();
        string topic = Unique("allocasync");
        cluster.CreateTopic(topic, Partitions);
        await ProduceMany(cluster, topic, count);
        using var consumer = new KafkaConsumer(Options(cluster, Unique("group")));
        consumer.Subscribe(topic);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        long checksum = 0, batches = 0, before = 0;
        int consumed = 0;
        await foreach (ConsumedBatch batch in consumer.ConsumeBatchesAsync(2000, cts.Token))
        {
            using (batch)
            {
                foreach (ConsumedMessage m in batch)
                {
                    checksum += m.Offset + m.Key.Length + m.Value.Length + m.Topic.Length;
                }

                consumed += batch.Count;
            }

            if (consumed < 10_000)
            {
                before = GC.GetTotalAllocatedBytes(precise: true); // measure from the end of the warm-up
                continue;
            }

            batches++;
            if (consumed >= count)
            {
                break;
            }
        }

        long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        output.WriteLine($"async: {count - 10_000:N0}+ messages in {batches:N0} batches, {allocated:N0} bytes allocated process-wide ({(double)allocated / batches:N1} per batch)");
        Assert.NotEqual(0, checksum);
        // Process-wide: includes the thread pool and the test's own awaits. Generous per batch, far below per message.
        Assert.True(allocated <= 4096 + batches * 256,
            $"{allocated:N0} bytes allocated over {batches:N0} async batches ({(double)allocated / batches:N1} per batch)");
    }
}

using BenchmarkDotNet.Attributes;
using Confluent.Kafka;

namespace KafkaFast.Microbenchmarks;

/// <summary>
/// Confluent.Kafka's Produce with a delivery handler, with no broker answering: the call copies the message into
/// librdkafka's queue (queue limits raised so an iteration fits); the cleanup drains it after each iteration.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(InProcessConfig))]
[InvocationCount(KafkaFastEnqueueBenchmarks.Invocations, 16)]
[WarmupCount(3)]
[IterationCount(10)]
public class ConfluentEnqueueBenchmarks
{
    private const string TopicName = "micro-confluent";

    private MicroCluster _cluster = null!;
    private IProducer<byte[], byte[]> _producer = null!;
    private Messages _messages = null!;
    private Action<DeliveryReport<byte[], byte[]>> _handler = null!;
    private long _delivered;
    private int _slot;

    [Params(100, 1024)]
    public int ValueSize { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _cluster = new MicroCluster(TopicName);
        var config = new ProducerConfig
        {
            BootstrapServers = _cluster.BootstrapServers,
            Acks = Confluent.Kafka.Acks.All,
            EnableIdempotence = true,
            LingerMs = 5,
            QueueBufferingMaxMessages = 10_000_000,
            QueueBufferingMaxKbytes = 2_000_000,
        };
        foreach ((string key, string value) in MicroCluster.FastReconnect)
        {
            config.Set(key, value);
        }

        _producer = new ProducerBuilder<byte[], byte[]>(config).Build();
        _handler = _ => Interlocked.Increment(ref _delivered);
        _messages = new Messages(ValueSize);
        _producer.Produce(TopicName, new Message<byte[], byte[]> { Key = _messages.KeyArrays[0], Value = _messages.Value }, _handler);
        _producer.Flush(TimeSpan.FromSeconds(30)); // metadata known: the partitioner runs in Produce, as in production
        _cluster.Down();
    }

    [IterationCleanup]
    public void Cleanup()
    {
        _cluster.Up();
        _producer.Flush(TimeSpan.FromSeconds(120));
        _cluster.Down();
    }

    [GlobalCleanup]
    public void GlobalCleanup()
    {
        _cluster.Up();
        _producer.Flush(TimeSpan.FromSeconds(60));
        _producer.Dispose();
        _cluster.Dispose();
    }

    [Benchmark(Description = "Confluent Produce + delivery handler (1 message)")]
    public void Produce()
    {
        int slot = _slot;
        _slot = slot + 1 == Messages.Slots ? 0 : slot + 1;
        _producer.Produce(TopicName, new Message<byte[], byte[]> { Key = _messages.KeyArrays[_messages.KeyOfSlot[slot]], Value = _messages.Value }, _handler);
    }
}

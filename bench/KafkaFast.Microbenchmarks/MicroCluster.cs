using KafkaFast.Mock;
using KafkaFast.Producer;

namespace KafkaFast.Microbenchmarks;

/// <summary>
/// The embedded cluster for the microbenchmarks, in process: up while producers start (metadata, connections),
/// then every broker down while the enqueue path is measured, so nothing is sent or delivered in the measured
/// iterations: the calls only enqueue. Between iterations (not measured) the brokers come back to drain what
/// was enqueued, so the memory budget never fills.
/// </summary>
public sealed class MicroCluster : IDisposable
{
    internal const int Partitions = 6;
    private readonly KafkaMockCluster _cluster = new(3);

    public MicroCluster(string topic) => _cluster.CreateTopic(topic, Partitions);

    public string BootstrapServers => _cluster.BootstrapServers;

    /// <summary>librdkafka settings that make reconnection after <see cref="Up"/> quick.</summary>
    internal static readonly KeyValuePair<string, string>[] FastReconnect =
    [
        new("reconnect.backoff.ms", "10"),
        new("reconnect.backoff.max.ms", "100"),
    ];

    public void Down()
    {
        for (int id = 1; id <= 3; id++)
        {
            _cluster.SetBrokerDown(id);
        }
    }

    public void Up()
    {
        for (int id = 1; id <= 3; id++)
        {
            _cluster.SetBrokerUp(id);
        }
    }

    public void Dispose() => _cluster.Dispose();
}

/// <summary>The same 16-byte keys (1024 distinct) and random values as the benchmark program.</summary>
internal sealed class Messages
{
    internal const int KeyCount = 1024;
    internal const int KeyLength = 16;
    internal const int Slots = 64_000;

    internal Messages(int valueSize)
    {
        var random = new Random(42);
        Keys = new byte[KeyCount * KeyLength];
        for (int k = 0; k < KeyCount; k++)
        {
            System.Text.Encoding.ASCII.GetBytes($"key-{k:D12}", Keys.AsSpan(k * KeyLength, KeyLength));
        }

        KeyArrays = Enumerable.Range(0, KeyCount).Select(k => Keys.AsSpan(k * KeyLength, KeyLength).ToArray()).ToArray();
        Value = new byte[valueSize];
        random.NextBytes(Value);
        KeyOfSlot = Enumerable.Range(0, Slots).Select(_ => random.Next(KeyCount)).ToArray();
        Ring = KeyOfSlot.Select(k => new ProducerMessage(Keys.AsMemory(k * KeyLength, KeyLength), Value)).ToArray();
    }

    internal byte[] Keys { get; }

    internal byte[][] KeyArrays { get; }

    internal byte[] Value { get; }

    internal int[] KeyOfSlot { get; }

    internal ProducerMessage[] Ring { get; }

    internal ReadOnlySpan<byte> Key(int slot) => Keys.AsSpan(KeyOfSlot[slot] * KeyLength, KeyLength);
}

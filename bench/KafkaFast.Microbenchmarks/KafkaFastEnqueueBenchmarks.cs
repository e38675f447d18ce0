using System.Text.Json;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using KafkaFast.Producer;

namespace KafkaFast.Microbenchmarks;

/// <summary>
/// KafkaFast's request-thread calls with no broker answering: what a call costs while budget space is available.
/// Each iteration makes <see cref="Invocations"/> calls, which fit in the budget (512 MiB, every page touched once
/// in the set-up so that first-touch page faults are not measured); the (unmeasured) cleanup drains it.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(InProcessConfig))]
[InvocationCount(Invocations, 16)]
[WarmupCount(3)]
[IterationCount(10)]
public class KafkaFastEnqueueBenchmarks
{
    internal const int Invocations = 262_144;
    internal const long Budget = 512L << 20;
    private const string TopicName = "micro-kafkafast";

    private MicroCluster _cluster = null!;
    private KafkaProducer _producer = null!;
    private KafkaTopic _topic = null!;
    private Messages _messages = null!;
    private ValueTask<DeliveryResult>[] _pending = [];
    private int _pendingCount;
    private int _slot;

    [Params(100, 1024)]
    public int ValueSize { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _cluster = new MicroCluster(TopicName);
        var options = new KafkaProducerOptions
        {
            BootstrapServers = _cluster.BootstrapServers,
            MemoryBudgetBytes = Budget,
            Linger = TimeSpan.FromMilliseconds(5),
        };
        foreach ((string key, string value) in MicroCluster.FastReconnect)
        {
            options.Properties[key] = value;
        }

        _producer = new KafkaProducer(options);
        _topic = _producer.GetTopic(TopicName);
        _messages = new Messages(ValueSize);
        _pending = new ValueTask<DeliveryResult>[Invocations];
        Prefault(_cluster, _producer, _topic, _messages);
        Drain();
    }

    /// <summary>Fills the whole budget once with the brokers down (touching every page of the arena), then drains it.</summary>
    internal static void Prefault(MicroCluster cluster, KafkaProducer producer, KafkaTopic topic, Messages messages)
    {
        cluster.Down();
        int slot = 0;
        while (producer.TryProduce(topic, messages.Key(slot), messages.Value))
        {
            slot = (slot + 1) % Messages.Slots;
        }

        cluster.Up();
        producer.Flush(TimeSpan.FromSeconds(120));
    }

    [IterationCleanup]
    public void Cleanup()
    {
        Drain();
    }

    /// <summary>Brings the brokers up, waits until everything is delivered (and awaited), takes them down again.</summary>
    private void Drain()
    {
        _cluster.Up();
        long left = _producer.Flush(TimeSpan.FromSeconds(120));
        if (left != 0)
        {
            throw new InvalidOperationException($"{left} messages still in flight after the drain: {_producer.GetStatistics()}");
        }

        for (int i = 0; i < _pendingCount; i++)
        {
            _pending[i].AsTask().GetAwaiter().GetResult();
        }

        _pendingCount = 0;
        _cluster.Down();
    }

    [GlobalCleanup]
    public void GlobalCleanup()
    {
        _cluster.Up();
        _producer.Dispose();
        _cluster.Dispose();
    }

    private int NextSlot()
    {
        int slot = _slot;
        _slot = slot + 1 == Messages.Slots ? 0 : slot + 1;
        return slot;
    }

    [Benchmark(Description = "TryProduce (1 message)")]
    public bool TryProduce()
    {
        int slot = NextSlot();
        return _producer.TryProduce(_topic, _messages.Key(slot), _messages.Value) || Full();
    }

    [Benchmark(Description = "TryProduceJson (Utf8JsonWriter in place)")]
    public bool TryProduceJson()
    {
        int slot = NextSlot();
        return _producer.TryProduceJson(_topic, _messages.Key(slot), (slot, ValueSize), static (writer, s) =>
        {
            writer.WriteStartObject();
            writer.WriteNumber("id"u8, s.slot);
            writer.WriteString("type"u8, "page_view"u8);
            writer.WriteNumber("ts"u8, 1_732_000_000_000L + s.slot);
            writer.WriteString("pad"u8, s.ValueSize > 100 ? Pad1K : Pad100);
            writer.WriteEndObject();
        }) || Full();
    }

    [Benchmark(Description = "ProduceAsync call (the ValueTask is awaited after the iteration)")]
    public void ProduceAsyncCall()
    {
        int slot = NextSlot();
#pragma warning disable CA2012 // stored and awaited exactly once, in the cleanup after the iteration (no broker answers before)
        _pending[_pendingCount++] = _producer.ProduceAsync(_topic, _messages.Ring[slot]);
#pragma warning restore CA2012
    }

    private static ReadOnlySpan<byte> Pad100 => "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"u8;

    private static readonly byte[] Pad1KBytes = Enumerable.Repeat((byte)'x', 960).ToArray();

    private static ReadOnlySpan<byte> Pad1K => Pad1KBytes;

    private static bool Full() => throw new InvalidOperationException("The budget filled during a measured iteration: lower the invocation count.");
}

/// <summary>TryProduceBatch, 100 messages per call; results are per message.</summary>
[MemoryDiagnoser]
[Config(typeof(InProcessConfig))]
[InvocationCount(Invocations, 16)]
[WarmupCount(3)]
[IterationCount(10)]
public class KafkaFastBatchBenchmarks
{
    private const int Invocations = 2624;
    private const int BatchSize = 100;
    private const string TopicName = "micro-kafkafast-batch";

    private MicroCluster _cluster = null!;
    private KafkaProducer _producer = null!;
    private KafkaTopic _topic = null!;
    private Messages _messages = null!;
    private int _slot;

    [Params(100, 1024)]
    public int ValueSize { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _cluster = new MicroCluster(TopicName);
        var options = new KafkaProducerOptions { BootstrapServers = _cluster.BootstrapServers, MemoryBudgetBytes = KafkaFastEnqueueBenchmarks.Budget };
        foreach ((string key, string value) in MicroCluster.FastReconnect)
        {
            options.Properties[key] = value;
        }

        _producer = new KafkaProducer(options);
        _topic = _producer.GetTopic(TopicName);
        _messages = new Messages(ValueSize);
        KafkaFastEnqueueBenchmarks.Prefault(_cluster, _producer, _topic, _messages);
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
        _producer.Dispose();
        _cluster.Dispose();
    }

    [Benchmark(Description = "TryProduceBatch (100 per call), per message", OperationsPerInvoke = BatchSize)]
    public int TryProduceBatch()
    {
        int slot = _slot;
        _slot = slot + BatchSize >= Messages.Slots ? 0 : slot + BatchSize;
        int accepted = _producer.TryProduceBatch(_topic, _messages.Ring.AsSpan(slot, BatchSize));
        return accepted == BatchSize ? accepted : throw new InvalidOperationException("The budget filled during a measured iteration.");
    }
}

/// <summary>In-process toolchain: no generated project to build (it would inherit the repository's warnings-as-errors).</summary>
public sealed class InProcessConfig : BenchmarkDotNet.Configs.ManualConfig
{
    public InProcessConfig() =>
        AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance).WithStrategy(RunStrategy.Throughput));
}

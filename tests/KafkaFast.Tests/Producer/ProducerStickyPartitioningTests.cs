using KafkaFast.Mock;
using KafkaFast.Producer;
using KafkaFast.Tests.Support;

namespace KafkaFast.Tests.Producer;

/// <summary>
/// Messages without a key stick to one random partition for the sticky period (StickyPartitioningLinger, or
/// librdkafka's sticky.partitioning.linger.ms in Properties, which wins); zero gives each one a random partition.
/// Partitions are read from the delivery reports.
/// </summary>
public sealed class ProducerStickyPartitioningTests : IDisposable
{
    private const int Partitions = 6;
    private readonly KafkaMockCluster _cluster = new(1);

    public void Dispose() => _cluster.Dispose();

    [Fact]
    public void The_default_period_is_100_ms_or_20_lingers_when_that_is_longer()
    {
        Assert.Equal(TimeSpan.FromMilliseconds(100), new KafkaProducerOptions().EffectiveStickyPartitioningLinger); // linger 5 ms
        Assert.Equal(TimeSpan.FromMilliseconds(100), new KafkaProducerOptions { Linger = TimeSpan.Zero }.EffectiveStickyPartitioningLinger);
        Assert.Equal(TimeSpan.FromMilliseconds(400), new KafkaProducerOptions { Linger = TimeSpan.FromMilliseconds(20) }.EffectiveStickyPartitioningLinger);
        Assert.Equal(TimeSpan.FromSeconds(900), new KafkaProducerOptions { Linger = TimeSpan.FromSeconds(60) }.EffectiveStickyPartitioningLinger); // librdkafka's maximum
        Assert.Equal(TimeSpan.Zero, new KafkaProducerOptions { StickyPartitioningLinger = TimeSpan.Zero }.EffectiveStickyPartitioningLinger);
        Assert.Contains("StickyPartitioningLinger=00:00:00.1000000", new KafkaProducerOptions().ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Keyless_messages_stay_on_one_partition_for_the_sticky_period()
    {
        // Three bursts 150 ms apart: longer than librdkafka's 10 ms default and our 100 ms one, well within the period set.
        HashSet<int> used = await ProduceKeyless("sticky-long", o => o.StickyPartitioningLinger = TimeSpan.FromMinutes(10), bursts: 3, pause: TimeSpan.FromMilliseconds(150));
        Assert.Single(used);
    }

    [Fact]
    public async Task The_period_librdkafka_reads_is_in_whole_milliseconds_rounded_up()
    {
        // 0.4 ms must not reach librdkafka (and the partitioner, which reads it back) as 0: stickiness off.
        await using var rounded = new KafkaProducer(Producers.Options(_cluster, o => o.StickyPartitioningLinger = TimeSpan.FromMilliseconds(0.4)));
        Assert.Equal(1, rounded.Engine.StickyMilliseconds);
        await using var byProperty = new KafkaProducer(Producers.Options(_cluster, o => o.Properties["sticky.partitioning.linger.ms"] = "250"));
        Assert.Equal(250, byProperty.Engine.StickyMilliseconds);
        await using var byDefault = new KafkaProducer(Producers.Options(_cluster, o => o.Linger = TimeSpan.FromMilliseconds(20)));
        Assert.Equal(400, byDefault.Engine.StickyMilliseconds);
    }

    [Fact]
    public async Task Zero_gives_each_keyless_message_a_random_partition()
    {
        // 600 uniform picks of 6 partitions leave 3 or more unused with a probability under 1e-100.
        HashSet<int> used = await ProduceKeyless("sticky-off", o => o.StickyPartitioningLinger = TimeSpan.Zero, bursts: 1, pause: TimeSpan.Zero);
        Assert.True(used.Count >= 4, $"600 keyless messages used partitions {string.Join(", ", used)} only");
    }

    [Fact]
    public async Task Librdkafkas_property_wins_over_the_option()
    {
        HashSet<int> used = await ProduceKeyless("sticky-property", o =>
        {
            o.StickyPartitioningLinger = TimeSpan.FromMinutes(10);
            o.Properties["sticky.partitioning.linger.ms"] = "0";
        }, bursts: 1, pause: TimeSpan.Zero);
        Assert.True(used.Count >= 4, $"600 keyless messages used partitions {string.Join(", ", used)} only");
    }

    /// <summary>600 keyless messages in <paramref name="bursts"/> bursts (awaited together); the partitions their reports name.</summary>
    private async Task<HashSet<int>> ProduceKeyless(string name, Action<KafkaProducerOptions> configure, int bursts, TimeSpan pause)
    {
        _cluster.CreateTopic(name, Partitions);
        await using var producer = new KafkaProducer(Producers.Options(_cluster, configure));
        KafkaTopic topic = producer.GetTopic(name);
        var used = new HashSet<int>();
        for (int burst = 0; burst < bursts; burst++)
        {
            if (burst > 0)
            {
                await Task.Delay(pause);
            }

            var reports = new List<Task<DeliveryResult>>();
            for (int i = 0; i < 600 / bursts; i++)
            {
                reports.Add(producer.ProduceAsync(topic, new ProducerMessage("v"u8.ToArray())).AsTask());
            }

            foreach (DeliveryResult report in await Task.WhenAll(reports).WaitAsync(TimeSpan.FromSeconds(30)))
            {
                used.Add(report.Partition);
            }
        }

        return used;
    }
}

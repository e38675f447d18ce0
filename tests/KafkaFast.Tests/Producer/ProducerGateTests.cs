using System.Text;
using System.Text.Json;
using KafkaFast.Mock;
using KafkaFast.Producer;
using KafkaFast.Tests.Support;

namespace KafkaFast.Tests.Producer;

/// <summary>
/// The partition gate: against a slow cluster, librdkafka is never left holding messages behind an in-flight request
/// (which makes an idempotent producer spin), and nothing stalls it: leader moves, request errors, broker outages,
/// flush and close. Observed from outside, through librdkafka's own statistics and by reading everything back.
/// </summary>
public sealed class ProducerGateTests : IDisposable
{
    private readonly KafkaMockCluster _cluster = new(3);

    public void Dispose() => _cluster.Dispose();

    private void AllBrokersRoundTrip(TimeSpan rtt)
    {
        for (int b = 1; b <= _cluster.BrokerCount; b++)
        {
            _cluster.SetBrokerRoundTripTime(b, rtt);
        }
    }

    /// <summary>
    /// Flat out against a 150 ms round trip (once the gates have engaged), then a flush: librdkafka's own counters
    /// (broker thread wake-ups per produce request) show whether a broker thread spun. With the gate it wakes a handful of times per request;
    /// the same run without the gate is the control: there it spins through every round trip.
    /// </summary>
    [Fact]
    public async Task Against_a_slow_cluster_librdkafkas_broker_threads_do_not_spin()
    {
        double gated = await WakeupsPerProduceRequest("slow-gated", gate: true);
        double control = await WakeupsPerProduceRequest("slow-control", gate: false);

        Assert.True(control > 10 * gated && control > 500, $"control (no gate): {control:F0} broker wake-ups per produce request; gated: {gated:F0}");
        Assert.True(gated < 100, $"gated: {gated:F0} broker wake-ups per produce request");
    }

    /// <summary>
    /// librdkafka answers every pause or resume of a partition with an op on the partition's fetch queue, which a
    /// producer never serves: the op stays until the client is destroyed. Big gated hand-offs pause their partition,
    /// two ops each; without a limit, a 15-minute chaos run grew the producer's live native heap by 2.5 MiB that way.
    /// librdkafka's statistics count that queue (fetchq_cnt): it holds at most two ops per allowed pause, however many
    /// big hand-offs there were.
    /// </summary>
    [Fact]
    public async Task Big_gated_hand_offs_leave_a_bounded_number_of_ops_on_librdkafkas_partition_fetch_queues()
    {
        const int Partitions = 3, Messages = 60_000, PauseLimit = 2;
        _cluster.CreateTopic("fetchq", Partitions);
        await using var producer = new KafkaProducer(Producers.Options(_cluster, o =>
        {
            o.Linger = TimeSpan.FromMilliseconds(5);
            o.Properties["statistics.interval.ms"] = "100";
        }));
        producer.Engine.ClientAt(0).PauseLimit = PauseLimit;
        var topic = producer.GetTopic("fetchq");
        for (int p = 0; p < Partitions; p++)
        {
            Assert.True(producer.TryProduce(topic, default, "connect"u8, partition: p));
        }

        await Producers.FlushOrFail(producer);
        AllBrokersRoundTrip(TimeSpan.FromMilliseconds(100));
        try
        {
            ProduceFlatOut(producer, topic, Messages); // one request's worth (thousands of records) per gated hand-off
            await Producers.FlushOrFail(producer, 120);
        }
        finally
        {
            AllBrokersRoundTrip(TimeSpan.Zero);
        }

        Assert.Equal(Messages + Partitions, producer.GetStatistics().Delivered);
        using JsonDocument stats = JsonDocument.Parse(await FreshLibrdkafkaStatistics(producer));
        long queued = 0, requests = 0;
        foreach (var partition in stats.RootElement.GetProperty("topics").GetProperty("fetchq").GetProperty("partitions").EnumerateObject())
        {
            queued += partition.Value.GetProperty("fetchq_cnt").GetInt64();
        }

        foreach (var broker in stats.RootElement.GetProperty("brokers").EnumerateObject())
        {
            requests += broker.Value.GetProperty("req").TryGetProperty("Produce", out var produce) ? produce.GetInt64() : 0;
        }

        Assert.True(Messages / requests >= 1000, $"{requests} produce requests for {Messages} messages: too few big gated hand-offs to test the limit");
        Assert.True(queued <= 2 * PauseLimit, $"{queued} ops left on the fetch queues after {requests} produce requests; at most {2 * PauseLimit} allowed");
    }

    private async Task<double> WakeupsPerProduceRequest(string name, bool gate)
    {
        const int Partitions = 3, Messages = 150_000;
        _cluster.CreateTopic(name, Partitions);
        await using var producer = new KafkaProducer(Producers.Options(_cluster, o =>
        {
            o.Linger = TimeSpan.FromMilliseconds(5);
            o.EnablePartitionGate = gate;
            o.Properties["statistics.interval.ms"] = "100";
        }));
        var topic = producer.GetTopic(name);
        for (int p = 0; p < Partitions; p++)
        {
            Assert.True(producer.TryProduce(topic, default, "connect"u8, partition: p)); // connections and producer id before the slow part
        }

        await Producers.FlushOrFail(producer);
        AllBrokersRoundTrip(TimeSpan.FromMilliseconds(150));
        try
        {
            // The cluster turns slow under released gates: they engage within a round trip or two (a librdkafka
            // broker thread may spin meanwhile, once). Measured from then on.
            ProduceFlatOut(producer, topic, Messages / 10);
            await Producers.FlushOrFail(producer, 120);
            (long wakeups0, long requests0) = await FreshBrokerCounters(producer);

            ProduceFlatOut(producer, topic, Messages);
            await Producers.FlushOrFail(producer, 120); // the flush drains through the gate too
            (long wakeups1, long requests1) = await FreshBrokerCounters(producer);
            var stats = producer.GetStatistics();
            Assert.Equal(Messages + Messages / 10 + Partitions, stats.Delivered);
            Assert.Equal(0, stats.Failed);
            Assert.True(requests1 > requests0, "no produce request counted");
            return (double)(wakeups1 - wakeups0) / (requests1 - requests0);
        }
        finally
        {
            AllBrokersRoundTrip(TimeSpan.Zero);
        }
    }

    private static void ProduceFlatOut(KafkaProducer producer, KafkaTopic topic, int messages)
    {
        var value = new byte[100];
        for (int i = 0; i < messages; i++)
        {
            var spin = new SpinWait();
            while (!producer.TryProduce(topic, Encoding.UTF8.GetBytes($"key-{i % 300}"), value))
            {
                spin.SpinOnce();
            }
        }
    }

    /// <summary>librdkafka's statistics JSON (the first client's) from a sample taken after this call.</summary>
    private static async Task<string> FreshLibrdkafkaStatistics(KafkaProducer producer)
    {
        long Ts(string? json) => json is null ? 0 : JsonDocument.Parse(json).RootElement.GetProperty("ts").GetInt64();
        long before = Ts(producer.GetStatistics().LibrdkafkaStatistics[0]);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        string? json;
        while (Ts(json = producer.GetStatistics().LibrdkafkaStatistics[0]) <= before)
        {
            Assert.True(DateTime.UtcNow < deadline, "no librdkafka statistics");
            await Task.Delay(20);
        }

        return json!;
    }

    /// <summary>Sums librdkafka's per-broker "wakeups" and produce request counters from a statistics sample taken after this call.</summary>
    private static async Task<(long Wakeups, long ProduceRequests)> FreshBrokerCounters(KafkaProducer producer)
    {
        long wakeups = 0, requests = 0;
        using var doc = JsonDocument.Parse(await FreshLibrdkafkaStatistics(producer));
        foreach (var broker in doc.RootElement.GetProperty("brokers").EnumerateObject())
        {
            wakeups += broker.Value.GetProperty("wakeups").GetInt64();
            if (broker.Value.GetProperty("req").TryGetProperty("Produce", out var produce))
            {
                requests += produce.GetInt64();
            }
        }

        return (wakeups, requests);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Leader_moves_and_request_errors_at_a_long_round_trip_never_stall_a_gate(bool gate)
    {
        const int Partitions = 4, Keys = 40, PerKey = 150;
        string name = gate ? "moves-gated" : "moves-ungated";
        _cluster.CreateTopic(name, Partitions, replicationFactor: 3);
        await using var producer = new KafkaProducer(Producers.Options(_cluster, o =>
        {
            o.Linger = TimeSpan.FromMilliseconds(5);
            o.EnablePartitionGate = gate;
            o.MaxClients = 2;
            o.MessageTimeout = TimeSpan.FromMinutes(2);
            o.Properties["retry.backoff.ms"] = "10";
        }));
        var topic = producer.GetTopic(name);
        AllBrokersRoundTrip(TimeSpan.FromMilliseconds(80));
        using var stop = new CancellationTokenSource();
        var chaos = Task.Run(async () =>
        {
            int round = 0;
            while (!stop.IsCancellationRequested)
            {
                _cluster.PushRequestErrors(KafkaApiKey.Produce, KafkaErrorCode.NotLeaderForPartition, KafkaErrorCode.RequestTimedOut, KafkaErrorCode.NotEnoughReplicas);
                _cluster.SetPartitionLeader(name, round % Partitions, round % 3 + 1);
                await Task.Delay(120);
                round++;
            }
        });

        try
        {
            for (int seq = 0; seq < PerKey; seq++)
            {
                for (int k = 0; k < Keys; k++)
                {
                    // Every third message carries a header (rd_kafka_produceva): it keeps its place in the partition.
                    KafkaHeader[] headers = (seq + k) % 3 == 0 ? [new("seq", BitConverter.GetBytes(seq))] : [];
                    while (!producer.TryProduce(topic, Encoding.UTF8.GetBytes($"key{k}"), BitConverter.GetBytes(seq), headers))
                    {
                        await Task.Delay(1);
                    }
                }

                if (seq % 25 == 0)
                {
                    await Task.Delay(30);
                }
            }

            await Task.Delay(300); // some requests fail and retry with the cluster still misbehaving
        }
        finally
        {
            stop.Cancel();
            await chaos;
        }

        try
        {
            await Producers.FlushOrFail(producer, 120);
        }
        finally
        {
            AllBrokersRoundTrip(TimeSpan.Zero);
        }

        var stats = producer.GetStatistics();
        Assert.Equal(Keys * PerKey, stats.Accepted);
        Assert.Equal(Keys * PerKey, stats.Delivered);
        Assert.Equal(0, stats.Failed);
        Assert.Empty(stats.StalledPartitions);

        var received = ReadBack.All(_cluster.BootstrapServers, name, Partitions, Keys * PerKey, TimeSpan.FromSeconds(60));
        foreach (var byKey in received.GroupBy(m => Encoding.UTF8.GetString(m.Key)))
        {
            Assert.Equal(Enumerable.Range(0, PerKey), byKey.OrderBy(m => m.Offset).Select(m => BitConverter.ToInt32(m.Value)));
        }
    }

    [Fact]
    public async Task A_partition_whose_leader_is_down_is_reported_stalled_until_it_recovers()
    {
        _cluster.CreateTopic("stall", 2);
        _cluster.SetPartitionLeader("stall", 0, 1);
        _cluster.SetPartitionLeader("stall", 1, 2);
        await using var producer = new KafkaProducer(Producers.Options(_cluster, o => o.MessageTimeout = TimeSpan.FromMinutes(2)));
        producer.Engine.StallThreshold = TimeSpan.FromMilliseconds(500);
        var topic = producer.GetTopic("stall");
        _cluster.SetBrokerDown(1);
        try
        {
            for (int i = 0; i < 20; i++)
            {
                Assert.True(producer.TryProduce(topic, default, Encoding.UTF8.GetBytes($"p0-{i}"), partition: 0));
                Assert.True(producer.TryProduce(topic, default, Encoding.UTF8.GetBytes($"p1-{i}"), partition: 1));
            }

            // The stall list is published by the workers every 250 ms, the counters are live: under load partition 1
            // can be listed for a moment after its messages were delivered. Wait for a list that agrees with them.
            var stalled = await Until(producer, s => s.StalledPartitions.Any(p => p.Topic == "stall" && p.Partition == 0)
                && !s.StalledPartitions.Any(p => p.Topic == "stall" && p.Partition == 1) && s.Delivered >= 20);
            var p0 = stalled.StalledPartitions.Single(p => p.Topic == "stall" && p.Partition == 0);
            Assert.Equal(20, p0.MessagesWaiting + p0.MessagesInFlight);
            Assert.True(p0.SinceLastProgress >= TimeSpan.FromMilliseconds(500), p0.ToString());
        }
        finally
        {
            _cluster.SetBrokerUp(1);
        }

        await Producers.FlushOrFail(producer, 60);
        var recovered = await Until(producer, s => s.StalledPartitions.Count == 0);
        Assert.Equal(40, recovered.Delivered);
    }

    /// <summary>
    /// Records waiting in an engaged gate behind a partition whose leader is down fail once they have waited longer
    /// than message.timeout.ms, as librdkafka fails those it holds: all of them, not one request's worth per
    /// librdkafka timeout scan (2,000 messages at 10 per request would take minutes that way).
    /// </summary>
    [Fact]
    public async Task Records_waiting_in_a_gate_longer_than_the_message_timeout_fail_with_a_reason()
    {
        const int Messages = 2000;
        _cluster.CreateTopic("expire", 1);
        _cluster.SetPartitionLeader("expire", 0, 1);
        await using var producer = new KafkaProducer(Producers.Options(_cluster, o =>
        {
            o.MessageTimeout = TimeSpan.FromSeconds(1);
            o.Properties["batch.num.messages"] = "10"; // one request's worth is 10 messages: nearly all wait in the gate
            o.FailureBufferCapacity = Messages; // a report for every message
        }));
        var topic = producer.GetTopic("expire");
        _cluster.SetBrokerDown(1);
        try
        {
            for (int i = 0; i < Messages; i++)
            {
                Assert.True(producer.TryProduce(topic, default, Encoding.UTF8.GetBytes($"m{i}")), producer.GetStatistics().ToString());
            }

            var failed = await Until(producer, s => s.Failed == Messages, seconds: 60);
            Assert.Equal(0, failed.Delivered);
            Assert.Equal(Messages, failed.FailedByError[KafkaErrorCode.MessageTimedOut]);
            Assert.Equal(0, await producer.FlushAsync(TimeSpan.FromSeconds(30))); // nothing left waiting anywhere
            var idle = await Until(producer, s => s.BudgetBytesForLibrdkafka == 0 && s.StalledPartitions.Count == 0);
            Assert.True(idle.BudgetBytesInUse <= idle.SlabSize, idle.ToString()); // back to the budget (the slab being filled stays)

            int reports = 0;
            while (producer.Failures.TryRead(out var failure))
            {
                Assert.Equal(KafkaErrorCode.MessageTimedOut, failure.Error);
                Assert.False(string.IsNullOrWhiteSpace(failure.Reason));
                Assert.Equal(0, failure.Partition);
                reports++;
            }

            Assert.Equal(Messages, reports);
        }
        finally
        {
            _cluster.SetBrokerUp(1);
        }
    }

    [Fact]
    public async Task Close_against_a_slow_cluster_delivers_everything_through_the_gate()
    {
        const int Messages = 20_000;
        _cluster.CreateTopic("close-slow", 3);
        var producer = new KafkaProducer(Producers.Options(_cluster, o => o.Linger = TimeSpan.FromMilliseconds(5)));
        var topic = producer.GetTopic("close-slow");
        AllBrokersRoundTrip(TimeSpan.FromMilliseconds(200));
        ProducerCloseResult result;
        try
        {
            var value = new byte[200];
            for (int i = 0; i < Messages; i++)
            {
                Assert.True(producer.TryProduce(topic, Encoding.UTF8.GetBytes($"k{i % 100}"), value));
            }

            result = await producer.CloseAsync(TimeSpan.FromSeconds(60)).WaitAsync(TimeSpan.FromSeconds(90));
        }
        finally
        {
            AllBrokersRoundTrip(TimeSpan.Zero);
        }

        Assert.Equal(Messages, result.Accepted);
        Assert.Equal(Messages, result.Delivered);
        Assert.Equal(0, result.Failed);
        Assert.Equal(0, result.PurgedAtClose);
    }

    private static async Task<ProducerStatistics> Until(KafkaProducer producer, Func<ProducerStatistics, bool> condition, int seconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var stats = producer.GetStatistics();
            if (condition(stats))
            {
                return stats;
            }

            Assert.True(DateTime.UtcNow < deadline, $"condition not met within {seconds} s: {stats}, stalled [{string.Join(", ", stats.StalledPartitions)}]");
            await Task.Delay(50);
        }
    }
}

using KafkaFast.Mock;
using KafkaFast.Producer;
using KafkaFast.Tests.Support;
using Xunit.Abstractions;

namespace KafkaFast.Tests.Producer;

/// <summary>
/// Failure reports stay within bounds: the unread reports on <see cref="KafkaProducer.Failures"/> hold at most
/// FailureBufferBytes of key and value copies (the rest carry metadata only), while every failure is still counted.
/// </summary>
[Collection(SerialTests.Name)]
public sealed class ProducerFailureReportTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly KafkaMockCluster _cluster = new(1);

    public void Dispose() => _cluster.Dispose();

    private static async Task WaitForFailed(KafkaProducer producer, long count)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (producer.GetStatistics().Failed < count)
        {
            Assert.True(DateTime.UtcNow < deadline, $"{count} failures expected within {Patience}: {producer.GetStatistics()}");
            await Task.Delay(50);
        }
    }

    /// <summary>
    /// One message delivered: the client is connected (and has its producer id) before the outage starts. Under load
    /// that can take longer than the short message timeout: attempts that time out are retried, and their failure
    /// reports read and returned, so that the test counts only the outage's.
    /// </summary>
    private static async Task<(long Failed, int Reports)> ConnectedAsync(KafkaProducer producer, KafkaTopic topic)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            try
            {
                await producer.ProduceAsync(topic, new ProducerMessage("connected"u8.ToArray())).AsTask().WaitAsync(Patience);
                break;
            }
            catch (ProduceException e) when (e.Code == KafkaErrorCode.MessageTimedOut && DateTime.UtcNow < deadline)
            {
            }
        }

        await Producers.FlushOrFail(producer);
        return (producer.GetStatistics().Failed, ReadAll(producer).Count);
    }

    private static List<DeliveryFailure> ReadAll(KafkaProducer producer)
    {
        var failures = new List<DeliveryFailure>();
        while (producer.Failures.TryRead(out DeliveryFailure? failure))
        {
            failures.Add(failure);
        }

        return failures;
    }

    [Fact]
    public async Task Reports_keep_copies_up_to_FailureBufferBytes_and_reading_them_frees_room()
    {
        _cluster.CreateTopic("report-bytes", 1);
        await using var producer = new KafkaProducer(Producers.Options(_cluster, o =>
        {
            o.MessageTimeout = TimeSpan.FromSeconds(1);
            o.FailureBufferBytes = 3 * 1000;
        }));
        var topic = producer.GetTopic("report-bytes");
        (long failedBefore, _) = await ConnectedAsync(producer, topic);
        _cluster.SetBrokerDown(1);

        static byte[] Value(int i) => Enumerable.Repeat((byte)i, 996).ToArray(); // with a 4-byte key: 1000 bytes a message
        for (int i = 0; i < 10; i++)
        {
            Assert.True(producer.TryProduce(topic, BitConverter.GetBytes(i), Value(i)));
        }

        await WaitForFailed(producer, failedBefore + 10);
        List<DeliveryFailure> first = ReadAll(producer);
        Assert.Equal(10, first.Count);
        Assert.All(first, f => Assert.Equal(KafkaErrorCode.MessageTimedOut, f.Error));
        Assert.All(first, f => Assert.Equal((4, 996), (f.KeyLength, f.ValueLength)));
        var kept = first.Where(f => f.BytesKept).ToList();
        Assert.Equal(3, kept.Count);
        Assert.All(kept, f => Assert.Equal(Value(BitConverter.ToInt32(f.Key)), f.Value));
        Assert.All(first.Where(f => !f.BytesKept), f => Assert.True(f.Key.Length == 0 && f.Value.Length == 0, "a report past the limit carries no bytes"));

        // Reading freed the room: the next failures keep their bytes again, with null key and value told apart.
        Assert.True(producer.TryProduce(topic, "keyless"u8));
        Assert.True(producer.TryProduceTombstone(topic, "gone"u8));
        await WaitForFailed(producer, failedBefore + 12);
        List<DeliveryFailure> second = ReadAll(producer);
        Assert.Equal(2, second.Count);
        Assert.All(second, f => Assert.True(f.BytesKept));
        DeliveryFailure keyless = second.Single(f => f.IsKeyNull);
        Assert.Equal("keyless"u8.ToArray(), keyless.Value);
        Assert.False(keyless.IsValueNull);
        DeliveryFailure tombstone = second.Single(f => f.IsValueNull);
        Assert.Equal("gone"u8.ToArray(), tombstone.Key);
        Assert.False(tombstone.IsKeyNull);

        var stats = producer.GetStatistics();
        Assert.Equal(failedBefore + 12, stats.Failed);
        Assert.Equal(0, stats.FailuresDropped);
    }

    [Fact]
    public async Task An_outage_longer_than_the_message_timeout_keeps_memory_within_budget_plus_32_MiB()
    {
        const long Budget = 16L * 1024 * 1024;
        const long Bound = Budget + (32L * 1024 * 1024);
        const long CopyLimit = 8L * 1024 * 1024; // FailureBufferBytes' default
        const int Failures = 600;                // with 50 KB values: 30 MB of copies if every report kept them
        _cluster.CreateTopic("outage-reports", 2);
        await using var producer = new KafkaProducer(Producers.Options(_cluster, o =>
        {
            o.MemoryBudgetBytes = Budget;
            o.MessageMaxBytes = 60_000;
            o.MessageTimeout = TimeSpan.FromSeconds(1);

            // What is measured here is the failure reports, so every accepted message goes to librdkafka at once and
            // times out there. (An engaged partition gate hands 50 KB messages over one at a time, each after the
            // previous one's report: failures then trickle in at about one per partition per timeout scan.)
            o.EnablePartitionGate = false;
            o.Properties["statistics.interval.ms"] = "1000";
        }));
        var topic = producer.GetTopic("outage-reports");
        (long failedBefore, int reportsBefore) = await ConnectedAsync(producer, topic);
        _cluster.SetBrokerDown(1);
        byte[] value = new byte[50_000];
        byte[] key = new byte[8];

        long managedBefore = GC.GetTotalMemory(forceFullCollection: true);
        long rssBefore = ProcessProbe.ResidentBytes();
        long peakRss = rssBefore, produced = 0;
        var deadline = DateTime.UtcNow + Patience;
        while (producer.GetStatistics().Failed < failedBefore + Failures)
        {
            if (DateTime.UtcNow > deadline)
            {
                ProducerStatistics stuck = producer.GetStatistics();
                Assert.Fail($"{Failures} failures expected within {Patience}: {stuck}; librdkafka: {stuck.LibrdkafkaStatistics[0]}");
            }

            BitConverter.TryWriteBytes(key, produced);
            if (producer.TryProduce(topic, key, value))
            {
                produced++;
            }
            else
            {
                await Task.Delay(10); // budget full until the message timeout fails what it holds
            }

            peakRss = Math.Max(peakRss, ProcessProbe.ResidentBytes());
        }

        // Nobody read Failures during the outage: what the unread reports hold is bounded by FailureBufferBytes.
        long managedGrowth = GC.GetTotalMemory(forceFullCollection: true) - managedBefore;
        long rssGrowth = peakRss - rssBefore;
        output.WriteLine($"{produced} accepted, {producer.GetStatistics().Failed} failed; managed heap +{managedGrowth / 1024 / 1024} MiB, peak RSS +{rssGrowth / 1024 / 1024} MiB");
        Assert.True(managedGrowth < CopyLimit + (4L * 1024 * 1024), $"unread failure reports hold {managedGrowth / 1024 / 1024} MiB of managed heap");
        Assert.True(rssGrowth < Bound, $"RSS grew {rssGrowth / 1024 / 1024} MiB for a {Budget / 1024 / 1024} MiB budget");

        // Counts stay exact: every failure is reported or counted as dropped, and the copies kept fit the limit.
        _cluster.SetBrokerUp(1);
        await Producers.FlushOrFail(producer, 60);
        List<DeliveryFailure> reports = ReadAll(producer);
        var stats = producer.GetStatistics();
        Assert.Equal(stats.Failed, reportsBefore + reports.Count + stats.FailuresDropped);
        Assert.True(reports.Where(f => f.BytesKept).Sum(f => (long)f.Key.Length + f.Value.Length) <= CopyLimit);
        Assert.Contains(reports, f => f.BytesKept);
        Assert.Contains(reports, f => !f.BytesKept && f.ValueLength == value.Length);
        Assert.Equal(stats.Accepted, stats.Delivered + stats.Failed);
    }
}

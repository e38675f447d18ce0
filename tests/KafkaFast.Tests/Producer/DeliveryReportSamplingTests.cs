using System.Collections.Concurrent;
using KafkaFast.Mock;
using KafkaFast.Producer;
using KafkaFast.Tests.Support;

namespace KafkaFast.Tests.Producer;

/// <summary>DeliveryReportSampled: every Nth delivery report reaches the observer from the worker, delivered or failed; an observer that throws changes nothing else.</summary>
public sealed class DeliveryReportSamplingTests : IDisposable
{
    private readonly KafkaMockCluster _cluster = new(1);

    public void Dispose() => _cluster.Dispose();

    [Fact]
    public async Task Every_Nth_delivery_report_is_handed_to_the_observer_with_its_latency()
    {
        _cluster.CreateTopic("sampled", 2);
        var samples = new ConcurrentQueue<DeliveryReportSample>();
        await using var producer = new KafkaProducer(Producers.Options(_cluster, o =>
        {
            o.DeliveryReportSampleInterval = 10;
            o.DeliveryReportSampled = samples.Enqueue;
        }));
        KafkaTopic topic = producer.GetTopic("sampled");
        for (int i = 0; i < 1000; i++)
        {
            Assert.True(producer.TryProduce(topic, default, "v"u8));
        }

        await Producers.FlushOrFail(producer);
        Assert.Equal(100, samples.Count); // one client: exactly every 10th of 1000 reports
        Assert.All(samples, s =>
        {
            Assert.Equal("sampled", s.Topic);
            Assert.Equal(KafkaErrorCode.NoError, s.Error);
            Assert.InRange(s.Partition, 0, 1);
            Assert.InRange(s.Latency, TimeSpan.FromTicks(1), TimeSpan.FromSeconds(30));
        });
    }

    [Fact]
    public async Task Failed_deliveries_are_sampled_with_their_error_and_a_throwing_observer_stops_nothing()
    {
        _cluster.CreateTopic("sampled-failures", 1);
        var errors = new ConcurrentQueue<KafkaErrorCode>();
        int calls = 0;
        await using var producer = new KafkaProducer(Producers.Options(_cluster, o =>
        {
            o.DeliveryReportSampleInterval = 1;
            o.MessageTimeout = TimeSpan.FromMilliseconds(500);
            o.DeliveryReportSampled = s =>
            {
                if (Interlocked.Increment(ref calls) == 1)
                {
                    throw new InvalidOperationException("observer failed on purpose");
                }

                errors.Enqueue(s.Error);
            };
        }));
        KafkaTopic topic = producer.GetTopic("sampled-failures");
        _cluster.SetBrokerDown(1);
        for (int i = 0; i < 20; i++)
        {
            Assert.True(producer.TryProduce(topic, default, "v"u8));
        }

        Assert.Equal(0, await producer.FlushAsync(TimeSpan.FromSeconds(30)));
        ProducerStatistics statistics = producer.GetStatistics();
        Assert.Equal(20, statistics.Failed);   // every message ended, the throwing observer notwithstanding
        Assert.Equal(20, calls);
        Assert.Equal(19, errors.Count);
        Assert.All(errors, e => Assert.Equal(KafkaErrorCode.MessageTimedOut, e));
    }
}

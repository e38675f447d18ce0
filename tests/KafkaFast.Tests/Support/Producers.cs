using KafkaFast.Mock;
using KafkaFast.Producer;

namespace KafkaFast.Tests.Support;

internal static class Producers
{
    internal static KafkaProducerOptions Options(KafkaMockCluster cluster, Action<KafkaProducerOptions>? configure = null)
    {
        var options = new KafkaProducerOptions { BootstrapServers = cluster.BootstrapServers, Linger = TimeSpan.FromMilliseconds(1) };
        configure?.Invoke(options);
        return options;
    }

    internal static async Task<long> FlushOrFail(KafkaProducer producer, int seconds = 30)
    {
        long left = await producer.FlushAsync(TimeSpan.FromSeconds(seconds));
        Assert.True(left == 0, $"{left} messages still in flight after {seconds} s: {producer.GetStatistics()}");
        return left;
    }
}

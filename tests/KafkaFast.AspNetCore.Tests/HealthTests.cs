using System.Net;
using KafkaFast.AspNetCore.Tests.Support;
using KafkaFast.Mock;
using KafkaFast.Producer;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace KafkaFast.AspNetCore.Tests;

/// <summary>The health check follows the brokers (fault injection on the embedded cluster): degraded, unhealthy, and back.</summary>
public sealed class HealthTests
{
    private static Dictionary<string, string?> Config(string topic)
    {
        var config = TestApp.EmbeddedConfig(topic);
        config["KafkaFast:Producers:Default:Health:UnhealthyAfter"] = "00:00:01";
        config["KafkaFast:Producers:Default:CloseTimeout"] = "00:00:05";
        return config;
    }

    private static async Task<HealthReportEntry> Check(TestApp app) =>
        (await app.App.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync()).Entries["kafkafast"];

    /// <summary>Leader of partition p is broker p+1, and the producer writes to every partition, so it talks to every broker.</summary>
    private static async Task UseEveryBroker(TestApp app, string topic)
    {
        KafkaMockCluster cluster = app.Producers.EmbeddedCluster!;
        KafkaProducer producer = app.Producers.GetProducer();
        KafkaTopic handle = producer.GetTopic(topic);
        for (int p = 0; p < 3; p++)
        {
            cluster.SetPartitionLeader(topic, p, p + 1);
        }

        for (int p = 0; p < 3; p++)
        {
            Assert.True(producer.TryProduce(handle, "k"u8, "v"u8, partition: p));
        }

        Assert.Equal(0, await producer.FlushAsync(TimeSpan.FromSeconds(30)));
        await TestApp.Eventually(async () =>
        {
            HealthReportEntry entry = await Check(app);
            return entry.Status == HealthStatus.Healthy && (int)entry.Data["brokers_known"] == 3;
        }, "healthy with three brokers known");
    }

    [Fact]
    public async Task A_broker_down_degrades_and_its_return_heals()
    {
        string topic = "health-broker";
        await using var app = await TestApp.StartAsync(Config(topic), requestEvents: false);
        await UseEveryBroker(app, topic);
        Assert.Equal((HttpStatusCode.OK, "Healthy"), await app.Health());

        KafkaMockCluster cluster = app.Producers.EmbeddedCluster!;
        KafkaProducer producer = app.Producers.GetProducer();
        cluster.SetBrokerDown(2);
        Assert.True(producer.TryProduce(producer.GetTopic(topic), "k"u8, "waits for broker 2"u8, partition: 1));
        await TestApp.Eventually(async () => (await Check(app)).Status == HealthStatus.Degraded, "degraded with broker 2 down");
        HealthReportEntry degraded = await Check(app);
        Assert.Contains("broker(s) down: 2 (", degraded.Description, StringComparison.Ordinal);
        Assert.Equal((HttpStatusCode.OK, "Degraded"), await app.Health());

        cluster.SetBrokerUp(2);
        await TestApp.Eventually(async () => (await Check(app)).Status == HealthStatus.Healthy, "healthy again with broker 2 back");
        Assert.Equal(0, await producer.FlushAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(0, producer.GetStatistics().Failed);
        Assert.Contains(app.Logs.Where("HealthChanged"), l => l.Message.Contains("from Healthy to Degraded", StringComparison.Ordinal));
        Assert.Contains(app.Logs.Where("HealthChanged"), l => l.Message.Contains("from Degraded to Healthy", StringComparison.Ordinal));
    }

    [Fact]
    public async Task All_brokers_down_beyond_the_limit_is_unhealthy_and_their_return_heals()
    {
        string topic = "health-all";
        await using var app = await TestApp.StartAsync(Config(topic), requestEvents: false);
        await UseEveryBroker(app, topic);

        KafkaMockCluster cluster = app.Producers.EmbeddedCluster!;
        for (int b = 1; b <= 3; b++)
        {
            cluster.SetBrokerDown(b);
        }

        await TestApp.Eventually(async () => (await app.Health()).Status == HttpStatusCode.ServiceUnavailable, "unhealthy (503) with every broker down");
        HealthReportEntry unhealthy = await Check(app);
        Assert.Equal(HealthStatus.Unhealthy, unhealthy.Status);
        Assert.Contains("no broker reachable for", unhealthy.Description, StringComparison.Ordinal);
        Assert.Contains(app.Logs.Where("HealthChanged"), l => l.Message.Contains("to Unhealthy", StringComparison.Ordinal));

        for (int b = 1; b <= 3; b++)
        {
            cluster.SetBrokerUp(b);
        }

        await TestApp.Eventually(async () => (await Check(app)).Status == HealthStatus.Healthy, "healthy again with the brokers back");
        Assert.Equal((HttpStatusCode.OK, "Healthy"), await app.Health());
    }

    [Fact]
    public async Task A_topic_waiting_for_metadata_and_a_stalled_partition_degrade_with_their_names()
    {
        string topic = "health-known";
        var config = TestApp.EmbeddedConfig(topic);
        config["KafkaFast:Producers:Default:Health:UnhealthyAfter"] = "00:10:00"; // stays degraded while every broker is down
        config["KafkaFast:Producers:Default:CloseTimeout"] = "00:00:05";
        await using var app = await TestApp.StartAsync(config, requestEvents: false);
        KafkaMockCluster cluster = app.Producers.EmbeddedCluster!;
        KafkaProducer producer = app.Producers.GetProducer();
        KafkaTopic known = producer.GetTopic(topic);
        Assert.True(producer.TryProduce(known, "k"u8, "before"u8, partition: 0));
        Assert.Equal(0, await producer.FlushAsync(TimeSpan.FromSeconds(30)));
        await TestApp.Eventually(async () => (await Check(app)).Status == HealthStatus.Healthy, "healthy before the outage");

        for (int b = 1; b <= 3; b++)
        {
            cluster.SetBrokerDown(b);
        }

        KafkaTopic late = await producer.GetTopicAsync("health-late").AsTask().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(late.IsPending);
        Assert.True(producer.TryProduce(late, "k"u8, "waits for metadata"u8));
        Assert.True(producer.TryProduce(known, "k"u8, "waits for a broker"u8, partition: 0));
        await TestApp.Eventually(async () => (await Check(app)).Description!.Contains("partition(s) with no progress", StringComparison.Ordinal), "a stalled partition named");
        HealthReportEntry degraded = await Check(app);
        Assert.Equal(HealthStatus.Degraded, degraded.Status);
        Assert.Contains("topic(s) waiting for the cluster's metadata: health-late", degraded.Description, StringComparison.Ordinal);
        Assert.Contains($"{topic}[0] (", degraded.Description, StringComparison.Ordinal);
        Assert.Equal(1, (int)degraded.Data["pending_topics"]);
        Assert.True((int)degraded.Data["stalled_partitions"] >= 1);

        for (int b = 1; b <= 3; b++)
        {
            cluster.SetBrokerUp(b);
        }

        await TestApp.Eventually(async () => (await Check(app)).Status == HealthStatus.Healthy, "healthy again once the topic is known and the partition delivered");
        Assert.Equal(0, await producer.FlushAsync(TimeSpan.FromSeconds(60)));
        Assert.Equal(0, producer.GetStatistics().Failed);
    }

    [Fact]
    public async Task A_crashed_producer_worker_is_unhealthy_with_the_crash_as_reason()
    {
        string topic = "health-crash";
        await using var app = await TestApp.StartAsync(Config(topic), requestEvents: false);
        KafkaProducer producer = app.Producers.GetProducer();
        KafkaTopic handle = producer.GetTopic(topic);
        Assert.True(producer.TryProduce(handle, "k"u8, "before"u8));
        Assert.Equal(0, await producer.FlushAsync(TimeSpan.FromSeconds(30)));
        await TestApp.Eventually(async () => (await Check(app)).Status == HealthStatus.Healthy, "healthy before the crash");

        // Tests only: the engine's fault hook makes the worker throw at the top of its next pass.
        producer.Engine.WorkerFaultHook = (_, _) => throw new InvalidOperationException("injected worker fault");
        await TestApp.Eventually(async () => (await app.Health()).Status == HttpStatusCode.ServiceUnavailable, "unhealthy (503) after the worker crashed");
        HealthReportEntry unhealthy = await Check(app);
        Assert.Equal(HealthStatus.Unhealthy, unhealthy.Status);
        Assert.Contains("producer worker 0 crashed", unhealthy.Description, StringComparison.Ordinal);
        Assert.Contains("injected worker fault", unhealthy.Description, StringComparison.Ordinal);
        Assert.False(producer.TryProduce(handle, "k"u8, "after"u8)); // refused, counted, never thrown
        Assert.Equal(1, producer.GetStatistics().Rejected[ProduceRejectReason.Fatal]);
    }
}

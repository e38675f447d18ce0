using System.Net;
using KafkaFast.AspNetCore.Tests.Support;
using KafkaFast.Mock;
using KafkaFast.Producer;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace KafkaFast.AspNetCore.Tests;

/// <summary>Shutdown: producers stop after the web server, drain within the host's shutdown timeout, and log exactly what was lost.</summary>
public sealed class LifecycleTests
{
    private static Dictionary<string, string?> ExternalConfig(KafkaMockCluster cluster, string topic) => new()
    {
        ["KafkaFast:Producers:Default:BootstrapServers"] = cluster.BootstrapServers,
        ["KafkaFast:Producers:Default:Linger"] = "00:00:00.001",
        ["KafkaFast:Producers:Default:Topics:0"] = topic,
        ["KafkaFast:RequestEvents:Topic"] = topic,
    };

    [Fact]
    public async Task Shutdown_waits_for_requests_then_delivers_every_message_in_flight()
    {
        using var cluster = new KafkaMockCluster(3);
        cluster.CreateTopic("lifecycle-drain", 3);
        await using var app = await TestApp.StartAsync(ExternalConfig(cluster, "lifecycle-drain"));
        for (int b = 1; b <= 3; b++)
        {
            cluster.SetBrokerDown(b);
        }

        const int Requests = 20;
        for (int i = 0; i < Requests; i++)
        {
            (await app.Client.GetAsync($"/hello?i={i}")).EnsureSuccessStatusCode().Dispose();
        }

        KafkaProducer producer = app.Producers.GetProducer();
        Assert.Equal(Requests, producer.GetStatistics().InFlight);

        // A request still being handled when shutdown begins: the server waits for it, and its event is written and delivered.
        var gate = app.App.Services.GetRequiredService<TestApp.SlowGate>();
        Task<HttpResponseMessage> slow = app.Client.GetAsync("/slow");
        await gate.Entered.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Task stopping = app.App.StopAsync();

        // Release the held request only once the server is really stopping: the host has signalled it and Kestrel has
        // stopped accepting connections (it then waits for requests in flight, this one included).
        var lifetime = app.App.Services.GetRequiredService<IHostApplicationLifetime>();
        var port = new Uri(app.Client.BaseAddress!, "/").Port;
        await TestApp.Eventually(async () => lifetime.ApplicationStopping.IsCancellationRequested && !await Accepts(port), "the server to stop accepting connections");
        Assert.False(slow.IsCompleted); // still held: the server is waiting for it
        gate.Release.SetResult();
        using (HttpResponseMessage slowResponse = await slow)
        {
            Assert.Equal(HttpStatusCode.OK, slowResponse.StatusCode);
        }

        await TestApp.Eventually(() => Task.FromResult(app.Logs.Where("Draining").Any()), "the drain to start");
        LogSink.Entry draining = app.Logs.Where("Draining").Single();
        Assert.Contains($"InFlight={Requests + 1}", draining.State, StringComparison.Ordinal);
        for (int b = 1; b <= 3; b++)
        {
            cluster.SetBrokerUp(b);
        }

        await stopping.WaitAsync(TimeSpan.FromSeconds(60));
        LogSink.Entry closed = app.Logs.Where("ClosedAllDelivered").Single();
        Assert.Contains($"Accepted={Requests + 1}; Delivered={Requests + 1}", closed.State, StringComparison.Ordinal);
        Assert.Empty(app.Logs.Where("ClosedWithLosses"));

        List<ReadBack.Event> events = ReadBack.Events(cluster.BootstrapServers, "lifecycle-drain", expected: Requests + 1);
        Assert.Single(events, e => e.Str("path") == "/slow" && e.Json.GetProperty("status").GetInt32() == 200);
    }

    private static async Task<bool> Accepts(int port)
    {
        using var client = new System.Net.Sockets.TcpClient();
        try
        {
            await client.ConnectAsync(IPAddress.Loopback, port).WaitAsync(TimeSpan.FromSeconds(5));
            return true;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return false;
        }
    }

    [Fact]
    public async Task Shutdown_past_the_host_timeout_logs_exactly_how_many_were_lost_and_why()
    {
        using var cluster = new KafkaMockCluster(3);
        cluster.CreateTopic("lifecycle-lost", 3);
        await using var app = await TestApp.StartAsync(ExternalConfig(cluster, "lifecycle-lost"),
            configureServices: b => b.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(2)));
        for (int b = 1; b <= 3; b++)
        {
            cluster.SetBrokerDown(b);
        }

        const int Requests = 17;
        for (int i = 0; i < Requests; i++)
        {
            (await app.Client.GetAsync("/hello")).EnsureSuccessStatusCode().Dispose();
        }

        await app.App.StopAsync().WaitAsync(TimeSpan.FromSeconds(30));

        LogSink.Entry lost = app.Logs.Where("ClosedWithLosses").Single();
        Assert.Equal(LogLevel.Error, lost.Level);
        Assert.Contains($"Failed={Requests}; Accepted={Requests}; Delivered=0; PurgedAtClose={Requests}", lost.State, StringComparison.Ordinal);
        Assert.Contains($"PurgeQueue (-152) = {Requests}", lost.Message, StringComparison.Ordinal);
        Assert.Contains($"{Requests} message(s) were NOT delivered", lost.Message, StringComparison.Ordinal);
        LogSink.Entry draining = app.Logs.Where("Draining").Single();
        Assert.Contains($"InFlight={Requests}", draining.State, StringComparison.Ordinal);
        double drainSeconds = double.Parse(draining.State.Split("; ").Single(p => p.StartsWith("Seconds=", StringComparison.Ordinal))["Seconds=".Length..], System.Globalization.CultureInfo.CurrentCulture);
        Assert.InRange(drainSeconds, 0, 2); // within the host's shutdown timeout
        Assert.Empty(app.Logs.Where("ClosedAllDelivered"));
    }
}

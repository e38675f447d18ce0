using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using KafkaFast.Consumer;
using KafkaFast.Mock;
using KafkaFast.Native;

namespace KafkaFast.Tool.Tests;

public class GatewayDemoTests
{
    [Fact]
    public async Task Demo_delivers_one_event_per_request_and_prints_the_table()
    {
        var result = await Cli.RunAsync("", "demo", "-n", "400", "--concurrency", "8");

        Assert.True(result.ExitCode == 0, result.Error + result.Output);
        Assert.Contains("events delivered: 400 of 400 requests (all)", result.Output, StringComparison.Ordinal);
        Assert.Contains("producer: 400 accepted, 400 delivered, 0 failed; failed HTTP requests: 0", result.Output, StringComparison.Ordinal);
        Assert.Contains("with request events", result.Output, StringComparison.Ordinal);
        Assert.Contains("without (baseline)", result.Output, StringComparison.Ordinal);
        Assert.Contains("added per event", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("% ", result.Output, StringComparison.Ordinal); // progress goes to stderr
        Assert.Contains($"librdkafka {LibrdkafkaLibrary.LoadedVersion.ToString(3)} {LibrdkafkaLibrary.LoadedPath} (", result.Output, StringComparison.Ordinal);
        Assert.Contains("the only librdkafka file mapped by this process", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Demo_exits_1_with_one_error_line_when_kafka_is_unreachable()
    {
        // Nothing listens on port 1: the gateway's producer cannot resolve the events topic at start-up.
        var result = await Cli.RunAsync("", "demo", "-n", "50", "--no-baseline", "-b", "127.0.0.1:1");

        Assert.True(result.ExitCode == 1, $"exit {result.ExitCode}\n{result.Error}{result.Output}");
        Assert.Contains("error: the gateway did not start: ", result.Error, StringComparison.Ordinal);
        Assert.Equal("", result.Output);
    }

    [Fact]
    public async Task Demo_exits_1_when_events_are_missing()
    {
        // Every produce request is refused with a non-retriable error: requests succeed, their events never arrive.
        using var cluster = new KafkaMockCluster(1);
        cluster.CreateTopic("refused", 1);
        cluster.SetGroupInitialRebalanceDelay(TimeSpan.Zero);
        cluster.PushRequestErrors(KafkaApiKey.Produce, Enumerable.Repeat(KafkaErrorCode.MessageSizeTooLarge, 2000).ToArray());

        var result = await Cli.RunAsync("", "demo", "-n", "50", "--no-baseline", "-b", cluster.BootstrapServers, "--topic", "refused", "--consume-timeout", "2");

        Assert.True(result.ExitCode == 1, $"exit {result.ExitCode}\n{result.Error}{result.Output}");
        Assert.Contains("events delivered: 0 of 50 requests (50 MISSING)", result.Output, StringComparison.Ordinal);
        Assert.Contains("producer: 50 accepted, 0 delivered, 50 failed; failed HTTP requests: 0", result.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Gateway_in_echo_mode_answers_and_the_event_is_consumed_back(bool topicFromConfigFile)
    {
        using var cluster = new KafkaMockCluster(1);
        cluster.CreateTopic("gw-events", 1);
        cluster.SetGroupInitialRebalanceDelay(TimeSpan.Zero);
        int port = FreePort();
        string url = $"http://127.0.0.1:{port}";

        // --config merges over the defaults: here it moves the events from --topic's default ("requests") to gw-events.
        string configFile = Path.Combine(Path.GetTempPath(), $"kafkafast-gateway-{Guid.NewGuid():N}.json");
        File.WriteAllText(configFile, """
            { "KafkaFast": { "Producers": { "Default": { "Topics": [ "gw-events" ] } }, "RequestEvents": { "Topic": "gw-events" } } }
            """);
        string[] args = topicFromConfigFile
            ? ["gateway", "--urls", url, "-b", cluster.BootstrapServers, "--config", configFile]
            : ["gateway", "--urls", url, "-b", cluster.BootstrapServers, "--topic", "gw-events", "--echo"];

        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        Task<Cli.Result> gateway = Cli.RunAsync("", stop.Token, args);

        using var client = new HttpClient { BaseAddress = new Uri(url) };
        HttpResponseMessage? response = null;
        var started = Stopwatch.StartNew();
        while (response is null)
        {
            Assert.False(gateway.IsCompleted, gateway.IsCompleted ? (await gateway).Error : "");
            Assert.True(started.Elapsed < TimeSpan.FromSeconds(15), "the gateway did not start listening");
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, "/api/orders/42");
                request.Headers.Add("X-Request-Id", "test-42");
                response = await client.SendAsync(request);
            }
            catch (HttpRequestException)
            {
                await Task.Delay(100);
            }
        }

        using (response)
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using JsonDocument body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.Equal("/api/orders/42", body.RootElement.GetProperty("echo").GetString());
        }

        using (var consumer = new KafkaConsumer(new KafkaConsumerOptions
        {
            BootstrapServers = cluster.BootstrapServers,
            GroupId = "gateway-test",
            AutoOffsetReset = AutoOffsetReset.Earliest,
            CommitMode = CommitMode.Manual,
        }))
        {
            consumer.Subscribe("gw-events");
            string? eventJson = null;
            var deadline = Stopwatch.StartNew();
            while (eventJson is null && deadline.Elapsed < TimeSpan.FromSeconds(15))
            {
                using ConsumedBatch batch = consumer.ConsumeBatch(10, TimeSpan.FromMilliseconds(200));
                if (batch.Count > 0)
                {
                    eventJson = Encoding.UTF8.GetString(batch[0].Value);
                }
            }

            Assert.NotNull(eventJson);
            using JsonDocument e = JsonDocument.Parse(eventJson);
            Assert.Equal("/api/orders/42", e.RootElement.GetProperty("path").GetString());
            Assert.Equal("GET", e.RootElement.GetProperty("method").GetString());
            Assert.Equal(200, e.RootElement.GetProperty("status").GetInt32());
            Assert.Contains("test-42", e.RootElement.GetProperty("headers").GetRawText(), StringComparison.Ordinal);
        }

        stop.Cancel();
        Cli.Result result = await gateway.WaitAsync(TimeSpan.FromSeconds(20));
        File.Delete(configFile);
        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains(url, result.Output, StringComparison.Ordinal);
        Assert.Contains("% stopped", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("gateway", "--upstream", "not a url")]
    [InlineData("gateway", "--upstream", "ftp://example.com/")]
    [InlineData("gateway", "--echo", "--upstream", "http://127.0.0.1:9/")]
    [InlineData("gateway", "--topic", "")]
    [InlineData("gateway", "--urls", "nonsense")]
    [InlineData("gateway", "--config", "/no/such/file.json")]
    [InlineData("gateway", "-X", "no-equals")]
    [InlineData("gateway", "--bogus")]
    [InlineData("demo", "-n", "0")]
    [InlineData("demo", "-n", "many")]
    [InlineData("demo", "--concurrency", "0")]
    [InlineData("demo", "--consume-timeout", "0")]
    [InlineData("demo", "-X", "no-equals")]
    [InlineData("demo", "--bogus")]
    [InlineData("demo", "--urls", "http://127.0.0.1:0")]
    public async Task Bad_gateway_and_demo_arguments_exit_2(params string[] args)
    {
        var result = await Cli.RunAsync("", args);
        Assert.Equal(2, result.ExitCode);
        string[] lines = result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith('%')).ToArray();
        Assert.StartsWith("error: ", lines[0], StringComparison.Ordinal);
        Assert.Contains("usage:", lines[1], StringComparison.Ordinal);
        Assert.Equal(2, lines.Length);
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}

using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using KafkaFast.AspNetCore.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace KafkaFast.AspNetCore.Tests;

/// <summary>
/// The one gateway (AddKafkaFastGateway + MapKafkaFastGateway) that samples/Gateway and `kafkafast gateway` run: its
/// defaults, its proxying, its one event per request; and the sample itself, started as users start it.
/// </summary>
public sealed partial class GatewayTests
{
    [Fact]
    public async Task Out_of_the_box_it_proxies_to_its_echo_upstream_and_writes_one_event_per_request_with_credentials_hidden()
    {
        await using WebApplication app = await StartGatewayAsync(new Dictionary<string, string?>());
        using var client = new HttpClient { BaseAddress = new Uri(AddressOf(app)), Timeout = TimeSpan.FromSeconds(30) };

        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/orders/42");
        request.Headers.Add("X-Request-Id", "req-42");
        request.Headers.Add("Authorization", "Bearer do-not-log-me");
        using (HttpResponseMessage response = await client.SendAsync(request))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using JsonDocument echo = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.Equal("/api/orders/42", echo.RootElement.GetProperty("echo").GetString()); // went through YARP to /echo
            Assert.Equal("127.0.0.1", echo.RootElement.GetProperty("forwardedFor").GetString());
        }

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health")).StatusCode);
        string stats = await client.GetStringAsync("/kafka/stats");
        Assert.StartsWith("accepted 1,", stats, StringComparison.Ordinal);

        // One event: the proxied request's. The hop to /echo, /health and /kafka/stats are excluded by the defaults.
        IKafkaProducerProvider producers = app.Services.GetRequiredService<IKafkaProducerProvider>();
        ReadBack.Event e = Assert.Single(ReadBack.Events(producers.EmbeddedCluster!.BootstrapServers, "requests", expected: 1));
        Assert.Equal("/api/orders/42", e.Str("path"));
        Assert.Equal(200, e.Json.GetProperty("status").GetInt32());
        Assert.Equal("http://echo.kafkafast.invalid/", e.Str("upstream"));
        Assert.Equal("***", e.Json.GetProperty("headers").GetProperty("authorization").GetString());
        Assert.Equal("req-42", e.Json.GetProperty("headers").GetProperty("x-request-id").GetString());
        Assert.Equal("127.0.0.1", e.Key); // keyed by client address
    }

    [Fact]
    public async Task Configuration_moves_it_to_a_real_upstream_and_code_adds_event_fields_after_its_own()
    {
        // A stand-in service behind the gateway.
        WebApplicationBuilder upstreamBuilder = WebApplication.CreateSlimBuilder();
        upstreamBuilder.Logging.ClearProviders();
        upstreamBuilder.WebHost.UseUrls("http://127.0.0.1:0");
        await using WebApplication upstream = upstreamBuilder.Build();
        upstream.MapGet("/{**path}", (string? path) => $"service saw /{path}");
        await upstream.StartAsync().WaitAsync(TimeSpan.FromSeconds(60));
        string service = AddressOf(upstream) + "/";

        await using WebApplication app = await StartGatewayAsync(
            new Dictionary<string, string?>
            {
                ["ReverseProxy:Clusters:backend:Destinations:primary:Address"] = service,
                ["KafkaFast:RequestEvents:Topic"] = "gateway-events",
                ["KafkaFast:Producers:Default:Topics:0"] = "gateway-events",
            },
            o => o.ConfigureRequestEvents = events => events.WriteFields = (json, context, phase) => json.WriteString("tenant", "acme"));
        using var client = new HttpClient { BaseAddress = new Uri(AddressOf(app)), Timeout = TimeSpan.FromSeconds(30) };
        Assert.Equal("service saw /api/items", await client.GetStringAsync("/api/items"));

        string bootstrap = app.Services.GetRequiredService<IKafkaProducerProvider>().EmbeddedCluster!.BootstrapServers;
        ReadBack.Event e = Assert.Single(ReadBack.Events(bootstrap, "gateway-events", expected: 1));
        Assert.Equal(service, e.Str("upstream"));
        Assert.Equal("acme", e.Str("tenant"));
    }

    [Fact]
    public async Task Mapping_it_wrongly_fails_at_start_up_with_what_to_do()
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        var missing = Assert.Throws<InvalidOperationException>(() => builder.Build().MapKafkaFastGateway());
        Assert.Contains("call builder.AddKafkaFastGateway()", missing.Message, StringComparison.Ordinal);

        builder = WebApplication.CreateSlimBuilder();
        builder.AddKafkaFastGateway(o => o.EchoPath = null);
        await using WebApplication app = builder.Build();
        var noEcho = Assert.Throws<InvalidOperationException>(() => app.MapKafkaFastGateway());
        Assert.Contains("ReverseProxy:Clusters:backend:Destinations:primary:Address is the built-in echo upstream", noEcho.Message, StringComparison.Ordinal);
    }

    /// <summary>samples/Gateway, started as `dotnet Gateway.dll`: it listens, proxies, and its event arrives in Kafka.</summary>
    [Fact(Timeout = 120_000)]
    public async Task The_sample_runs_and_its_event_arrives()
    {
        string dll = SampleDll();
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.GetDirectoryName(dll)! };
        start.ArgumentList.Add(dll);
        start.ArgumentList.Add("--Urls=http://127.0.0.1:0");
        start.ArgumentList.Add("--Logging:LogLevel:Microsoft.Hosting.Lifetime=Information");
        using Process sample = Process.Start(start)!;
        var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var listening = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        sample.OutputDataReceived += (_, line) =>
        {
            if (line.Data is null)
            {
                return;
            }

            output.Enqueue(line.Data);
            if (ListeningOn().Match(line.Data) is { Success: true } match)
            {
                listening.TrySetResult(match.Groups[1].Value);
            }
        };
        sample.ErrorDataReceived += (_, line) => output.Enqueue(line.Data ?? string.Empty);
        sample.BeginOutputReadLine();
        sample.BeginErrorReadLine();
        try
        {
            string address = await listening.Task.WaitAsync(TimeSpan.FromSeconds(60));
            using var client = new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(30) };
            string echo = await client.GetStringAsync("/api/orders/42");
            Assert.Contains("\"echo\":\"/api/orders/42\"", echo, StringComparison.Ordinal);

            string stats = await client.GetStringAsync("/kafka/stats");
            string bootstrap = stats.Split('\n').Single(l => l.StartsWith("bootstrap: ", StringComparison.Ordinal))["bootstrap: ".Length..];
            ReadBack.Event e = Assert.Single(ReadBack.Events(bootstrap, "requests", expected: 1));
            Assert.Equal("/api/orders/42", e.Str("path"));
        }
        catch (Exception ex) when (ex is not Xunit.Sdk.XunitException)
        {
            throw new InvalidOperationException($"The sample failed; its output:\n{string.Join('\n', output)}", ex);
        }
        finally
        {
            sample.Kill(entireProcessTree: true);
            await sample.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
    }

    private static async Task<WebApplication> StartGatewayAsync(Dictionary<string, string?> config, Action<Gateway.KafkaFastGatewayOptions>? configure = null)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.Configuration.Sources.Clear();
        config["Urls"] = "http://127.0.0.1:0";
        config["KafkaFast:Producers:Default:Linger"] = "00:00:00.001";
        builder.Configuration.AddInMemoryCollection(config);
        builder.Logging.ClearProviders();
        builder.AddKafkaFastGateway(configure);
        WebApplication app = builder.Build();
        app.MapKafkaFastGateway();
        await app.StartAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return app;
    }

    private static string AddressOf(WebApplication app) =>
        app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();

    /// <summary>The sample's build output, beside this test's (same configuration).</summary>
    private static string SampleDll()
    {
        string here = Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory); // tests/KafkaFast.AspNetCore.Tests/bin/{Configuration}/net10.0
        string configuration = new DirectoryInfo(here).Parent!.Name;
        string root = Path.GetFullPath(Path.Combine(here, "..", "..", "..", "..", ".."));
        string dll = Path.Combine(root, "samples", "Gateway", "bin", configuration, "net10.0", "Gateway.dll");
        Assert.True(File.Exists(dll), $"{dll} is missing (the test project builds the sample)");
        return dll;
    }

    [GeneratedRegex("Now listening on: (http://[^\\s]+)")]
    private static partial Regex ListeningOn();
}

using KafkaFast.AspNetCore.RequestEvents;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace KafkaFast.AspNetCore.Tests.Support;

/// <summary>A real Kestrel server on 127.0.0.1 (ephemeral port) with KafkaFast from configuration, and an HttpClient to it.</summary>
internal sealed class TestApp : IAsyncDisposable
{
    private TestApp(WebApplication app, LogSink logs)
    {
        App = app;
        Logs = logs;
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        Client = new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(30) };
    }

    public WebApplication App { get; }

    public LogSink Logs { get; }

    public HttpClient Client { get; }

    public IKafkaProducerProvider Producers => App.Services.GetRequiredService<IKafkaProducerProvider>();

    public string Bootstrap => Producers.EmbeddedCluster?.BootstrapServers ?? Producers.GetProducer().Options.BootstrapServers;

    /// <summary>Configuration for one producer "Default" on an embedded 3-broker cluster, writing request events to <paramref name="topic"/>.</summary>
    public static Dictionary<string, string?> EmbeddedConfig(string topic, int partitions = 3) => new()
    {
        ["KafkaFast:Producers:Default:BootstrapServers"] = "embedded",
        ["KafkaFast:Producers:Default:Linger"] = "00:00:00.001",
        ["KafkaFast:Producers:Default:Topics:0"] = topic,
        ["KafkaFast:Producers:Default:StatisticsInterval"] = "00:00:00.100",
        ["KafkaFast:EmbeddedCluster:BrokerCount"] = "3",
        ["KafkaFast:EmbeddedCluster:Partitions"] = partitions.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["KafkaFast:RequestEvents:Topic"] = topic,
    };

    /// <summary>Builds the application without starting it (to test start-up failures).</summary>
    public static (WebApplication App, LogSink Logs) Build(IDictionary<string, string?> config, Action<WebApplicationBuilder>? configureServices = null,
        Action<WebApplication>? configurePipeline = null, bool requestEvents = true, Action<KafkaRequestEventOptions>? configureEvents = null)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(config);
        builder.WebHost.UseUrls("http://127.0.0.1:0"); // after the sources: it is a configuration value
        var logs = new LogSink();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(logs);
        builder.Logging.SetMinimumLevel(LogLevel.Debug);
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Information); // keeps the per-request Activity, as in a default app
        builder.AddKafkaFast();
        builder.Services.AddHealthChecks().AddKafkaFast();
        builder.Services.AddSingleton<SlowGate>();
        configureServices?.Invoke(builder);

        WebApplication app = builder.Build();
        if (requestEvents)
        {
            app.UseKafkaRequestEvents(configureEvents);
        }

        configurePipeline?.Invoke(app);
        MapEndpoints(app);
        return (app, logs);
    }

    public static async Task<TestApp> StartAsync(IDictionary<string, string?> config, Action<WebApplicationBuilder>? configureServices = null,
        Action<WebApplication>? configurePipeline = null, bool requestEvents = true, Action<KafkaRequestEventOptions>? configureEvents = null)
    {
        (WebApplication app, LogSink logs) = Build(config, configureServices, configurePipeline, requestEvents, configureEvents);
        try
        {
            await app.StartAsync().WaitAsync(TimeSpan.FromSeconds(60));
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        return new TestApp(app, logs);
    }

    private static void MapEndpoints(WebApplication app)
    {
        app.MapGet("/hello", () => "hello");
        app.MapPost("/echo/{id}", async (HttpContext context, string id) =>
        {
            using var reader = new StreamReader(context.Request.Body);
            string body = await reader.ReadToEndAsync();
            byte[] answer = System.Text.Encoding.UTF8.GetBytes($"{id}:{body}");
            context.Response.ContentLength = answer.Length;
            context.Response.StatusCode = StatusCodes.Status201Created;
            await context.Response.Body.WriteAsync(answer);
        });
        app.MapGet("/fail", IResult () => throw new InvalidOperationException("endpoint failed on purpose"));
        app.MapPost("/chunked", async (HttpContext context) =>
        {
            byte[] buffer = new byte[4096];
            long read = 0;
            int n;
            while ((n = await context.Request.Body.ReadAsync(buffer)) > 0)
            {
                read += n;
            }

            // No Content-Length: a chunked response written through both the pipe and the stream.
            await context.Response.BodyWriter.WriteAsync(System.Text.Encoding.UTF8.GetBytes($"read {read} bytes;"));
            System.Text.EncodingExtensions.GetBytes(System.Text.Encoding.UTF8, new string('w', 1000), context.Response.BodyWriter);
            await context.Response.BodyWriter.FlushAsync();
            await context.Response.Body.WriteAsync(new byte[500]);
        });
        app.MapGet("/slow", async (SlowGate gate) =>
        {
            gate.Entered.TrySetResult();
            await gate.Release.Task;
            return "slow";
        });
        app.MapHealthChecks("/health");
    }

    /// <summary>Lets a test hold a request inside the "/slow" endpoint.</summary>
    internal sealed class SlowGate
    {
        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>Polls <paramref name="condition"/> until it holds or <paramref name="timeout"/> passes (then fails with <paramref name="what"/>).</summary>
    public static async Task Eventually(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Timed out waiting for: {what}");
            }

            await Task.Delay(50);
        }
    }

    public async Task<(System.Net.HttpStatusCode Status, string Body)> Health()
    {
        using HttpResponseMessage response = await Client.GetAsync("/health");
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        try
        {
            await App.StopAsync().WaitAsync(TimeSpan.FromSeconds(60));
        }
        finally
        {
            await App.DisposeAsync();
        }
    }
}

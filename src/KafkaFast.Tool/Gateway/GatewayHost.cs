using System.Globalization;
using KafkaFast.AspNetCore;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Model;

namespace KafkaFast.Tool.Gateway;

/// <summary>What the gateway needs to know: where Kafka is, where to listen, where to proxy (or echo).</summary>
internal sealed class GatewaySettings
{
    internal required string Urls { get; init; }

    internal required string BootstrapServers { get; init; }

    internal IReadOnlyDictionary<string, string> Properties { get; init; } = new Dictionary<string, string>();

    internal string Topic { get; init; } = "requests";

    /// <summary>The YARP destination; null = echo mode (the gateway answers requests itself).</summary>
    internal string? Upstream { get; init; }

    /// <summary>An appsettings-style JSON file merged over the defaults.</summary>
    internal string? ConfigFile { get; init; }

    /// <summary>Configuration values set over the defaults (before --config).</summary>
    internal IReadOnlyDictionary<string, string?> Overrides { get; init; } = new Dictionary<string, string?>();

    /// <summary>Log to this writer at Warning and above; null = no logging.</summary>
    internal TextWriter? Log { get; init; }
}

/// <summary>
/// The YARP gateway with request events (the wiring of samples/Gateway): one JSON event per request to Kafka,
/// written when the request completes, plus /health and /kafka/stats.
/// </summary>
internal sealed class GatewayHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private volatile bool _eventsEnabled = true;

    private GatewayHost(WebApplication app) => _app = app;

    /// <summary>Whether requests write events (the demo turns them off for its baseline run).</summary>
    internal bool EventsEnabled
    {
        get => _eventsEnabled;
        set => _eventsEnabled = value;
    }

    internal IServiceProvider Services => _app.Services;

    /// <summary>The addresses Kestrel actually listens on (port 0 resolved), after <see cref="StartAsync"/>.</summary>
    internal IReadOnlyList<string> Addresses =>
        _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.ToList() ?? [];

    internal static Dictionary<string, string?> DefaultConfiguration(GatewaySettings settings)
    {
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["Urls"] = settings.Urls,
            ["KafkaFast:Producers:Default:BootstrapServers"] = settings.BootstrapServers,
            ["KafkaFast:Producers:Default:Topics:0"] = settings.Topic,
            ["KafkaFast:Producers:Default:MemoryBudgetBytes"] = (64 * 1024 * 1024).ToString(CultureInfo.InvariantCulture),
            ["KafkaFast:Producers:Default:Linger"] = "00:00:00.005",
            ["KafkaFast:RequestEvents:Topic"] = settings.Topic,
            ["KafkaFast:RequestEvents:Phases"] = "End",
            ["KafkaFast:RequestEvents:Key"] = "ClientAddress",
            ["KafkaFast:RequestEvents:IncludeHeaders:0"] = "X-Request-Id",
            ["KafkaFast:RequestEvents:ExcludePaths:0"] = "/health",
            ["KafkaFast:RequestEvents:ExcludePaths:1"] = "/kafka",
        };
        foreach ((string key, string value) in settings.Properties)
        {
            values[$"KafkaFast:Producers:Default:Properties:{key}"] = value;
        }

        foreach ((string key, string? value) in settings.Overrides)
        {
            values[key] = value;
        }

        if (settings.Upstream is not null)
        {
            values["ReverseProxy:Routes:all:ClusterId"] = "backend";
            values["ReverseProxy:Routes:all:Match:Path"] = "/{**catch-all}";
            values["ReverseProxy:Routes:all:Order"] = "1000";
            values["ReverseProxy:Clusters:backend:Destinations:primary:Address"] = settings.Upstream;
        }

        return values;
    }

    internal static GatewayHost Create(GatewaySettings settings)
    {
        if (settings.ConfigFile is not null && !File.Exists(settings.ConfigFile))
        {
            throw new UsageException($"--config '{settings.ConfigFile}': file not found");
        }

        WebApplicationBuilder builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { Args = [] });
        builder.WebHost.UseKestrelCore();
        builder.Services.AddRoutingCore();
        builder.Configuration.AddInMemoryCollection(DefaultConfiguration(settings));
        if (settings.ConfigFile is not null)
        {
            builder.Configuration.AddJsonFile(Path.GetFullPath(settings.ConfigFile), optional: false, reloadOnChange: false);
        }

        builder.WebHost.UseUrls(builder.Configuration["Urls"] ?? settings.Urls);
        builder.Logging.ClearProviders();
        if (settings.Log is TextWriter log)
        {
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            builder.Logging.AddProvider(new WriterLoggerProvider(log));
        }

        builder.AddKafkaFast();
        builder.Services.AddHealthChecks().AddKafkaFast();
        if (settings.Upstream is not null)
        {
            builder.Services.AddReverseProxy().LoadFromConfig(builder.Configuration.GetSection("ReverseProxy"));
        }

        WebApplication app = builder.Build();
        var host = new GatewayHost(app);

        // First in the pipeline: one event per request, plus the upstream YARP chose. Never delays or fails the request.
        app.UseWhen(_ => host._eventsEnabled, events => events.UseKafkaRequestEvents(options => options.WriteFields = static (json, context, phase) =>
        {
            if (context.Features.Get<IReverseProxyFeature>()?.ProxiedDestination?.Model.Config.Address is string upstream)
            {
                json.WriteString("upstream", upstream);
            }
        }));
        app.UseRouting();
        app.MapHealthChecks("/health");
        app.MapGet("/kafka/stats", (IKafkaProducerProvider producers) => Results.Text(
            $"{producers.GetProducer().GetStatistics()}\nbootstrap: {producers.GetProducer().Options.BootstrapServers}\n"));
        if (settings.Upstream is not null)
        {
            app.MapReverseProxy();
        }
        else
        {
            // Echo mode: the gateway answers every request itself with what it received.
            app.Map("/{**path}", static (HttpContext context, string? path) => Results.Json(new EchoResponse(
                "/" + path, context.Request.Method, context.Request.Headers["X-Forwarded-For"].ToString())));
        }

        return host;
    }

    internal Task StartAsync(CancellationToken cancellationToken) => _app.StartAsync(cancellationToken);

    /// <summary>Stops the host: Kestrel drains, then the hosted lifecycle flushes and closes the producer.</summary>
    internal Task StopAsync() => _app.StopAsync(CancellationToken.None);

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    internal sealed record EchoResponse(string Echo, string Method, string ForwardedFor);

    private sealed class WriterLoggerProvider(TextWriter writer) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new WriterLogger(writer, categoryName);

        public void Dispose()
        {
        }

        private sealed class WriterLogger(TextWriter writer, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (!IsEnabled(logLevel))
                {
                    return;
                }

                lock (writer)
                {
                    writer.WriteLine($"% {logLevel}: {category}: {formatter(state, exception)}{(exception is null ? "" : " " + exception.Message)}");
                }
            }
        }
    }
}

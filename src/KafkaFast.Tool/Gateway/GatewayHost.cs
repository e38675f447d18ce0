using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace KafkaFast.Tool.Gateway;

/// <summary>What the gateway needs to know: where Kafka is, where to listen, where to proxy (or echo).</summary>
internal sealed class GatewaySettings
{
    internal required string Urls { get; init; }

    internal required string BootstrapServers { get; init; }

    internal IReadOnlyDictionary<string, string> Properties { get; init; } = new Dictionary<string, string>();

    internal string Topic { get; init; } = "requests";

    /// <summary>The YARP destination of every request; null = echo mode (proxied to the gateway's own /echo endpoint).</summary>
    internal string? Upstream { get; init; }

    /// <summary>An appsettings-style JSON file merged over the defaults.</summary>
    internal string? ConfigFile { get; init; }

    /// <summary>Configuration values set over the defaults (before --config).</summary>
    internal IReadOnlyDictionary<string, string?> Overrides { get; init; } = new Dictionary<string, string?>();

    /// <summary>Log to this writer at Warning and above; null = no logging.</summary>
    internal TextWriter? Log { get; init; }
}

/// <summary>
/// <c>kafkafast gateway</c> (and the demo's gateway): KafkaFast.AspNetCore's gateway (AddKafkaFastGateway,
/// MapKafkaFastGateway: the same one samples/Gateway runs), with the command line's settings over its defaults and no
/// appsettings.json read from the current directory.
/// </summary>
internal sealed class GatewayHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly EventsSwitch _events;

    private GatewayHost(WebApplication app, EventsSwitch events)
    {
        _app = app;
        _events = events;
    }

    /// <summary>Whether requests write events (the demo turns them off for its baseline run).</summary>
    internal bool EventsEnabled
    {
        get => _events.Enabled;
        set => _events.Enabled = value;
    }

    internal IServiceProvider Services => _app.Services;

    /// <summary>The addresses Kestrel actually listens on (port 0 resolved), after <see cref="StartAsync"/>.</summary>
    internal IReadOnlyList<string> Addresses =>
        _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.ToList() ?? [];

    /// <summary>The command line's settings, as configuration keys over the gateway's defaults.</summary>
    internal static Dictionary<string, string?> Overrides(GatewaySettings settings)
    {
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["Urls"] = settings.Urls,
            ["KafkaFast:Producers:Default:BootstrapServers"] = settings.BootstrapServers,
            ["KafkaFast:Producers:Default:Topics:0"] = settings.Topic,
            ["KafkaFast:RequestEvents:Topic"] = settings.Topic,
        };
        foreach ((string key, string value) in settings.Properties)
        {
            values[$"KafkaFast:Producers:Default:Properties:{key}"] = value;
        }

        if (settings.Upstream is not null)
        {
            values["ReverseProxy:Clusters:backend:Destinations:primary:Address"] = settings.Upstream;
        }

        foreach ((string key, string? value) in settings.Overrides)
        {
            values[key] = value;
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
        builder.Configuration.AddInMemoryCollection(Overrides(settings));
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

        var events = new EventsSwitch();
        builder.AddKafkaFastGateway(o => o.ConfigureRequestEvents = e => e.Filter = _ => events.Enabled);
        WebApplication app = builder.Build();
        app.MapKafkaFastGateway();
        return new GatewayHost(app, events);
    }

    internal Task StartAsync(CancellationToken cancellationToken) => _app.StartAsync(cancellationToken);

    /// <summary>Stops the host: Kestrel drains, then the hosted lifecycle flushes and closes the producer.</summary>
    internal Task StopAsync() => _app.StopAsync(CancellationToken.None);

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    /// <summary>The demo's switch: a request filter of the events, read per request.</summary>
    private sealed class EventsSwitch
    {
        private volatile bool _enabled = true;

        internal bool Enabled
        {
            get => _enabled;
            set => _enabled = value;
        }
    }

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

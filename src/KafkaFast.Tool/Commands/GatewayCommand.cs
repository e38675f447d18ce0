using System.CommandLine;
using KafkaFast.Tool.Gateway;

namespace KafkaFast.Tool.Commands;

/// <summary>kafkafast gateway: the YARP gateway that writes one JSON event per request to Kafka, until Ctrl+C.</summary>
internal static class GatewayCommand
{
    internal static Command Create(ToolConsole console)
    {
        var connection = new ConnectionOptions();
        var urls = new Option<string>("--urls") { Description = "Where to listen", DefaultValueFactory = _ => "http://127.0.0.1:5080" };
        var topic = new Option<string>("--topic", "-t") { Description = "The topic request events are written to", DefaultValueFactory = _ => "requests" };
        var upstream = new Option<string?>("--upstream") { Description = "Proxy every request to this URL (YARP destination)" };
        var echo = new Option<bool>("--echo") { Description = "Proxy requests to the gateway's own /echo endpoint, which answers with what it received (the default without --upstream)" };
        var config = new Option<string?>("--config") { Description = "An appsettings-style JSON file merged over the gateway's defaults and these options (KafkaFast, ReverseProxy, Urls sections)" };
        upstream.Validators.Add(r =>
        {
            string? value = r.GetValueOrDefault<string?>();
            if (value is not null && (!Uri.TryCreate(value, UriKind.Absolute, out Uri? uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)))
            {
                r.AddError($"--upstream '{value}': expected an http:// or https:// URL");
            }
        });
        topic.Validators.Add(r =>
        {
            if (string.IsNullOrWhiteSpace(r.GetValueOrDefault<string>()))
            {
                r.AddError("--topic must not be empty");
            }
        });

        var command = new Command("gateway", "Run a YARP gateway that writes one JSON event per request to Kafka (echo mode or --upstream), until Ctrl+C.");
        connection.AddTo(command);
        command.Options.Add(urls);
        command.Options.Add(topic);
        command.Options.Add(upstream);
        command.Options.Add(echo);
        command.Options.Add(config);
        command.Validators.Add(r =>
        {
            if (r.GetValue(echo) && r.GetValue(upstream) is not null)
            {
                r.AddError("--echo and --upstream are mutually exclusive");
            }
        });
        command.SetAction(async (parsed, cancellationToken) =>
        {
            Dictionary<string, string> properties = connection.ParseProperties(parsed);
            string? upstreamUrl = parsed.GetValue(upstream);
            string listen = parsed.GetValue(urls)!;
            if (!Uri.TryCreate(listen.Split(';')[0], UriKind.Absolute, out _))
            {
                throw new UsageException($"--urls '{listen}': expected e.g. http://127.0.0.1:5080");
            }

            using ClusterConnection cluster = ClusterConnection.Open(parsed.GetValue(connection.Bootstrap), console);
            string eventsTopic = parsed.GetValue(topic)!;
            cluster.EnsureTopic(eventsTopic, 6);

            await using GatewayHost gateway = GatewayHost.Create(new GatewaySettings
            {
                Urls = listen,
                BootstrapServers = cluster.BootstrapServers,
                Properties = properties,
                Topic = eventsTopic,
                Upstream = upstreamUrl,
                ConfigFile = parsed.GetValue(config),
                Log = console.Error,
            });
            if (!await TryStartAsync(gateway, console, cancellationToken).ConfigureAwait(false))
            {
                return 1;
            }

            foreach (string address in gateway.Addresses)
            {
                console.Out.WriteLine(address);
            }

            console.Out.Flush();
            console.Error.WriteLine($"% gateway {(upstreamUrl is null ? "in echo mode" : $"proxying to {upstreamUrl}")}; one event per request to '{eventsTopic}' at {cluster.BootstrapServers}; Ctrl+C to stop");
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }

            console.Error.WriteLine("% stopping: draining requests, then the producer");
            await gateway.StopAsync().ConfigureAwait(false);
            console.Error.WriteLine("% stopped");
            return 0;
        });
        return command;
    }

    /// <summary>Starts the gateway; a failure (port in use, Kafka unreachable at start-up) is one line on stderr.</summary>
    internal static async Task<bool> TryStartAsync(GatewayHost gateway, ToolConsole console, CancellationToken cancellationToken)
    {
        try
        {
            await gateway.StartAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or KafkaException or Microsoft.Extensions.Options.OptionsValidationException)
        {
            console.Error.WriteLine($"error: the gateway did not start: {e.Message}");
            return false;
        }
    }
}

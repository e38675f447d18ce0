using KafkaFast.AspNetCore;
using KafkaFast.AspNetCore.Gateway;
using KafkaFast.AspNetCore.RequestEvents;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the KafkaFast gateway's pipeline.</summary>
public static class KafkaFastGatewayWebApplicationExtensions
{
    /// <summary>
    /// The gateway's pipeline, in this order: the request-event middleware (one event per request, with the "upstream"
    /// YARP chose), routing, the health endpoint, the stats endpoint, the built-in echo upstream, and the reverse proxy
    /// (YARP, from the <c>ReverseProxy</c> section). Call it right after <c>Build()</c>, so that the events see every
    /// request; it needs <c>builder.AddKafkaFastGateway()</c>.
    /// </summary>
    /// <returns>The application, to add more or to run it.</returns>
    public static WebApplication MapKafkaFastGateway(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (app.Services.GetService<GatewayRegistration>() is null)
        {
            throw new InvalidOperationException("MapKafkaFastGateway needs the gateway's services: call builder.AddKafkaFastGateway() before builder.Build().");
        }

        KafkaFastGatewayOptions options = app.Services.GetRequiredService<IOptions<KafkaFastGatewayOptions>>().Value;
        if (options.EchoPath is null && EchoDestinations(app.Configuration).FirstOrDefault() is string destination)
        {
            throw new InvalidOperationException(
                $"{destination} is the built-in echo upstream ({GatewayDefaults.EchoUpstreamAddress}), but KafkaFastGatewayOptions.EchoPath is null: set a real destination address, or keep the echo endpoint.");
        }

        app.UseKafkaRequestEvents(events =>
        {
            events.WriteFields = UpstreamField.Write;
            options.ConfigureRequestEvents?.Invoke(events);
            events.WriteFields = UpstreamField.Then(events.WriteFields);
        });
        app.UseRouting();
        if (options.HealthPath is not null)
        {
            app.MapHealthChecks(options.HealthPath);
        }

        if (options.StatsPath is not null)
        {
            app.MapGet(options.StatsPath, static (IKafkaProducerProvider producers) => Results.Text(
                $"{producers.GetProducer().GetStatistics()}\nbootstrap: {producers.GetProducer().Options.BootstrapServers}\n"));
        }

        if (options.EchoPath is not null)
        {
            EchoUpstream.Map(app, options.EchoPath);
        }

        app.MapReverseProxy();
        return app;
    }

    /// <summary>The configuration keys of destinations that point at the echo upstream.</summary>
    private static IEnumerable<string> EchoDestinations(IConfiguration configuration) =>
        from cluster in configuration.GetSection($"{GatewayDefaults.ReverseProxySection}:Clusters").GetChildren()
        from destination in cluster.GetSection("Destinations").GetChildren()
        let address = destination.GetSection("Address")
        where string.Equals(address.Value, GatewayDefaults.EchoUpstreamAddress, StringComparison.OrdinalIgnoreCase)
        select address.Path;
}

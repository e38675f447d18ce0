using KafkaFast.AspNetCore.Gateway;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.Hosting;

/// <summary>Adds the KafkaFast gateway's services: a YARP reverse proxy that writes one Kafka event per request.</summary>
public static class KafkaFastGatewayHostApplicationBuilderExtensions
{
    /// <summary>
    /// Adds the gateway: KafkaFast from the <c>KafkaFast</c> section (producers, embedded cluster, request events), its
    /// health check, and YARP from the <c>ReverseProxy</c> section, all over the built-in defaults (an embedded cluster,
    /// one "requests" topic, every request proxied to the built-in echo upstream; see <c>Gateway/gateway-defaults.json</c>
    /// in this package). Any configuration source overrides them key by key. Then call <c>app.MapKafkaFastGateway()</c>.
    /// Do not also call AddKafkaFast or AddHealthChecks().AddKafkaFast(): this does both.
    /// </summary>
    /// <returns>The KafkaFast builder (to add producers).</returns>
    public static IKafkaFastBuilder AddKafkaFastGateway(this IHostApplicationBuilder builder, Action<KafkaFastGatewayOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        GatewayDefaults.AddTo(builder.Configuration);
        IKafkaFastBuilder kafka = builder.AddKafkaFast();
        builder.Services.AddHealthChecks().AddKafkaFast();
        OptionsBuilder<KafkaFastGatewayOptions> options = builder.Services.AddOptions<KafkaFastGatewayOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        builder.Services.AddSingleton<GatewayRegistration>();
        builder.Services.AddReverseProxy()
            .LoadFromConfig(builder.Configuration.GetSection(GatewayDefaults.ReverseProxySection))
            .AddTransforms(context =>
            {
                string? echo = context.Services.GetRequiredService<IOptions<KafkaFastGatewayOptions>>().Value.EchoPath;
                if (echo is not null)
                {
                    EchoUpstream.AddTransforms(context, echo);
                }
            });
        return kafka;
    }
}

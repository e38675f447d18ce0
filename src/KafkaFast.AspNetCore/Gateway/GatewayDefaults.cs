using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Json;

namespace KafkaFast.AspNetCore.Gateway;

/// <summary>
/// The gateway's defaults: <c>gateway-defaults.json</c> beside this file (embedded in the assembly), the one place they
/// are written. It is the lowest-priority configuration source, so appsettings.json, the environment, the command line
/// and code all override it, key by key.
/// </summary>
internal static class GatewayDefaults
{
    /// <summary>The configuration section of the reverse proxy (YARP's routes and clusters).</summary>
    internal const string ReverseProxySection = "ReverseProxy";

    /// <summary>
    /// The destination that means "this gateway's own <see cref="KafkaFastGatewayOptions.EchoPath"/> endpoint" (a
    /// reserved .invalid name: it never resolves). The default route sends every request there, so the gateway works
    /// with no service behind it; set <c>ReverseProxy:Clusters:backend:Destinations:primary:Address</c> to proxy to a
    /// real one.
    /// </summary>
    internal const string EchoUpstreamAddress = "http://echo.kafkafast.invalid/";

    private const string ResourceName = "KafkaFast.AspNetCore.Gateway.gateway-defaults.json";

    /// <summary>Puts the defaults under every source the application already has.</summary>
    internal static void AddTo(IConfigurationBuilder configuration)
    {
        Stream stream = typeof(GatewayDefaults).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The gateway's defaults ({ResourceName}) are missing from {typeof(GatewayDefaults).Assembly.GetName().Name}.");
        configuration.Sources.Insert(0, new JsonStreamConfigurationSource { Stream = stream });
    }
}

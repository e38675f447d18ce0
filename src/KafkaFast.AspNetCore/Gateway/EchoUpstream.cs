using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;

namespace KafkaFast.AspNetCore.Gateway;

/// <summary>
/// The built-in upstream: an endpoint that answers with what it received, and the proxy transform that sends requests
/// for <see cref="GatewayDefaults.EchoUpstreamAddress"/> to it, at the address and port the request came in on (so it
/// works on an ephemeral port too).
/// </summary>
internal static class EchoUpstream
{
    /// <summary>What the echo endpoint answers (JSON: echo, method, forwardedFor).</summary>
    internal sealed record EchoResponse(string Echo, string Method, string ForwardedFor);

    internal static void Map(IEndpointRouteBuilder endpoints, string path)
    {
        string prefix = path.TrimEnd('/');
        endpoints.Map(prefix + "/{**path}", static (HttpContext context, string? path) => Results.Json(new EchoResponse(
            "/" + path, context.Request.Method, context.Request.Headers["X-Forwarded-For"].ToString())));
    }

    /// <summary>For clusters with the echo destination: the request goes to this server's own echo endpoint.</summary>
    internal static void AddTransforms(TransformBuilderContext context, string echoPath)
    {
        if (context.Cluster?.Destinations?.Values.Any(d => string.Equals(d.Address, GatewayDefaults.EchoUpstreamAddress, StringComparison.OrdinalIgnoreCase)) != true)
        {
            return;
        }

        string prefix = echoPath.TrimEnd('/');
        context.AddRequestTransform(transform =>
        {
            if (transform.DestinationPrefix.StartsWith(GatewayDefaults.EchoUpstreamAddress, StringComparison.OrdinalIgnoreCase))
            {
                ConnectionInfo connection = transform.HttpContext.Connection;
                string host = connection.LocalIpAddress is { AddressFamily: System.Net.Sockets.AddressFamily.InterNetworkV6 } v6 ? $"[{v6}]" : $"{connection.LocalIpAddress}";
                transform.DestinationPrefix = $"{transform.HttpContext.Request.Scheme}://{host}:{connection.LocalPort}{prefix}";
            }

            return ValueTask.CompletedTask;
        });
    }
}

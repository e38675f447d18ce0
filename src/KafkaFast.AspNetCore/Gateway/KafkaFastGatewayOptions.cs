using KafkaFast.AspNetCore.RequestEvents;

namespace KafkaFast.AspNetCore.Gateway;

/// <summary>
/// What <c>MapKafkaFastGateway</c> maps besides the reverse proxy, and the request events' code hooks. The rest of the
/// gateway is configuration: <c>KafkaFast</c> (producers, embedded cluster, request events) and <c>ReverseProxy</c>
/// (YARP's routes and clusters), over the built-in defaults (<c>Gateway/gateway-defaults.json</c> in this package).
/// </summary>
public sealed class KafkaFastGatewayOptions
{
    /// <summary>The health endpoint (every producer's health check). Default "/health"; null maps none.</summary>
    public string? HealthPath { get; set; } = "/health";

    /// <summary>A plain-text view of the producer's counters and bootstrap servers. Default "/kafka/stats"; null maps none.</summary>
    public string? StatsPath { get; set; } = "/kafka/stats";

    /// <summary>
    /// The built-in upstream: answers any request below it with what it received (path, method, X-Forwarded-For), so
    /// the gateway works with no service behind it. The default route proxies every other request here. Default
    /// "/echo"; null maps none (set a real destination under ReverseProxy then).
    /// </summary>
    public string? EchoPath { get; set; } = "/echo";

    /// <summary>
    /// Code hooks for the request events, applied after <c>KafkaFast:RequestEvents</c> and after the gateway's own
    /// "upstream" field (a <see cref="KafkaRequestEventOptions.WriteFields"/> set here runs after it).
    /// </summary>
    public Action<KafkaRequestEventOptions>? ConfigureRequestEvents { get; set; }
}

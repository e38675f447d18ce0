using KafkaFast.AspNetCore.HealthChecks;
using KafkaFast.AspNetCore.Hosting;
using KafkaFast.AspNetCore.Options;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds KafkaFast producer health checks.</summary>
public static class KafkaFastHealthChecksBuilderExtensions
{
    /// <summary>
    /// Adds a health check of the producer named <paramref name="producerName"/>, or of every producer (the worst status
    /// wins) when it is null. Thresholds are in each producer's <see cref="HostedProducerOptions.Health"/>.
    /// </summary>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="producerName">A producer name, or null for all.</param>
    /// <param name="name">The check's name; default "kafkafast" or "kafkafast-{producer}".</param>
    /// <param name="tags">Tags to filter checks by (e.g. "ready").</param>
    public static IHealthChecksBuilder AddKafkaFast(this IHealthChecksBuilder builder, string? producerName = null, string? name = null, IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Add(new HealthCheckRegistration(
            name ?? (producerName is null ? "kafkafast" : $"kafkafast-{producerName}"),
            sp => new KafkaProducerHealthCheck(sp.GetRequiredService<KafkaProducerRegistry>(), producerName),
            failureStatus: HealthStatus.Unhealthy,
            tags));
    }
}

using KafkaFast.AspNetCore.Hosting;
using KafkaFast.AspNetCore.Options;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace KafkaFast.AspNetCore.HealthChecks;

/// <summary>
/// Health of one producer, or of all (the worst wins): unhealthy after a fatal librdkafka error or when no broker has
/// been reachable for <see cref="KafkaFastHealthOptions.UnhealthyAfter"/>; degraded when a broker is down, the memory
/// budget is above <see cref="KafkaFastHealthOptions.DegradedBudgetRatio"/>, a delivery failed within
/// <see cref="KafkaFastHealthOptions.FailureWindow"/>, a topic waits for the cluster's metadata (a pending topic), or a
/// partition has made no progress for over 5 s (ProducerStatistics.StalledPartitions). Broker states need librdkafka statistics (StatisticsInterval).
/// </summary>
internal sealed class KafkaProducerHealthCheck(KafkaProducerRegistry registry, string? producerName) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            if (producerName is not null || registry.Names.Count == 1)
            {
                return Task.FromResult(registry.GetMonitor(producerName ?? registry.Names.First()).Assess());
            }

            HealthCheckResult? worst = null;
            var descriptions = new List<string>();
            var data = new Dictionary<string, object>();
            foreach (string name in registry.Names)
            {
                HealthCheckResult result = registry.GetMonitor(name).Assess();
                descriptions.Add(result.Description ?? name);
                foreach ((string key, object value) in result.Data)
                {
                    data[$"{name}.{key}"] = value;
                }

                if (worst is null || result.Status < worst.Value.Status)
                {
                    worst = result;
                }
            }

            HealthStatus status = worst?.Status ?? HealthStatus.Healthy;
            return Task.FromResult(new HealthCheckResult(status, descriptions.Count == 0 ? "No KafkaFast producer is registered." : string.Join(" | ", descriptions), data: data));
        }
        catch (Exception ex) when (ex is InvalidOperationException or ObjectDisposedException or Microsoft.Extensions.Options.OptionsValidationException)
        {
            return Task.FromResult(new HealthCheckResult(context.Registration.FailureStatus, $"KafkaFast producer unavailable: {ex.Message}", ex));
        }
    }
}

namespace KafkaFast.AspNetCore.Options;

/// <summary>Thresholds of a producer's health check (see <c>AddKafkaFast</c> on <c>IHealthChecksBuilder</c>).</summary>
public sealed class KafkaFastHealthOptions
{
    /// <summary>Degraded when this fraction of the memory budget is in use (0 &lt; ratio &lt;= 1). Default 0.8.</summary>
    public double DegradedBudgetRatio { get; set; } = 0.8;

    /// <summary>Degraded for this long after a message failed to be delivered. Default 1 minute; zero ignores failures.</summary>
    public TimeSpan FailureWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Unhealthy once no broker has been reachable for this long (degraded before). Default 30 s.</summary>
    public TimeSpan UnhealthyAfter { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// A broker that vanished from the cluster's metadata counts as down for this long, then as removed from the
    /// cluster (the expected broker count is lowered). Default 10 minutes.
    /// </summary>
    public TimeSpan BrokerRemovedAfter { get; set; } = TimeSpan.FromMinutes(10);

    /// <inheritdoc/>
    public override string ToString() =>
        $"DegradedBudgetRatio={DegradedBudgetRatio}, FailureWindow={FailureWindow}, UnhealthyAfter={UnhealthyAfter}, BrokerRemovedAfter={BrokerRemovedAfter}";
}

using Microsoft.Extensions.Hosting;

namespace KafkaFast.AspNetCore.Diagnostics;

/// <summary>
/// Creates <see cref="KafkaFastMetrics"/> (its instruments) when the host builds its hosted services, before the
/// producers start: the producer metrics exist in every application that calls AddKafkaFast, with or without
/// request events, and delivery samples have somewhere to go from the first report.
/// </summary>
internal sealed class KafkaFastMetricsHostedService(KafkaFastMetrics metrics) : IHostedService
{
    public KafkaFastMetrics Metrics { get; } = metrics;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

using KafkaFast.AspNetCore.Options;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace KafkaFast.AspNetCore.Hosting;

/// <summary>
/// Ties the producers to the host's life. Starting: every KafkaFast option is checked (all failures reported in one
/// OptionsValidationException), then every producer is created (topics resolved) before any hosted service starts, so the web server never takes a request without them. Stopping: it is stopped
/// after the web server (hosted services stop in reverse order, and the server is registered last), so requests
/// finish writing their events; then the producers drain within what is left of the host's shutdown timeout.
/// </summary>
internal sealed class KafkaFastHostedService(KafkaProducerRegistry registry, IOptions<HostOptions> hostOptions, ILoggerFactory loggerFactory,
    IServiceProvider services, IEnumerable<StartupOptionsCheck> checks, TimeProvider? time = null)
    : IHostedLifecycleService
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly ILogger _logger = loggerFactory.CreateLogger("KafkaFast.Hosting");
    private long _stoppingAt;

    public Task StartingAsync(CancellationToken cancellationToken)
    {
        StartupOptionsCheck.ThrowIfAnyFails(services, checks); // every bad setting, at once, before anything is built
        registry.StartAll();
        return Task.CompletedTask;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken)
    {
        Interlocked.CompareExchange(ref _stoppingAt, _time.GetTimestamp(), 0);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Interlocked.CompareExchange(ref _stoppingAt, _time.GetTimestamp(), 0);
        return registry.CloseAllAsync(DrainBudget());
    }

    public Task StoppedAsync(CancellationToken cancellationToken)
    {
        registry.StopEmbeddedCluster();
        return Task.CompletedTask;
    }

    /// <summary>What is left of the host's shutdown timeout, less a margin for the services stopped after us.</summary>
    internal TimeSpan DrainBudget()
    {
        TimeSpan shutdown = hostOptions.Value.ShutdownTimeout;
        if (shutdown == Timeout.InfiniteTimeSpan)
        {
            return TimeSpan.MaxValue;
        }

        TimeSpan margin = TimeSpan.FromTicks(Math.Min(TimeSpan.FromSeconds(1).Ticks, shutdown.Ticks / 10));
        TimeSpan left = shutdown - _time.GetElapsedTime(Volatile.Read(ref _stoppingAt)) - margin;
        if (left < TimeSpan.FromSeconds(1))
        {
            HostingLog.ShortDrain(_logger, Math.Max(0, left.TotalSeconds));
        }

        return left < TimeSpan.Zero ? TimeSpan.Zero : left;
    }
}

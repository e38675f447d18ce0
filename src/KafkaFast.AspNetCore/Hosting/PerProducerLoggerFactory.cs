using Microsoft.Extensions.Logging;

namespace KafkaFast.AspNetCore.Hosting;

/// <summary>
/// Gives each named producer its own log categories: the core logs (librdkafka's included) under
/// "KafkaFast.Producer", which becomes "KafkaFast.Producer.Default", "KafkaFast.Producer.Audit"... so levels can be
/// set per producer. Does not own the inner factory.
/// </summary>
internal sealed class PerProducerLoggerFactory(ILoggerFactory inner, string producerName) : ILoggerFactory
{
    public ILogger CreateLogger(string categoryName) => inner.CreateLogger($"{categoryName}.{producerName}");

    public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

    public void Dispose()
    {
    }
}

using Microsoft.Extensions.Configuration;

namespace KafkaFast.AspNetCore.Options;

/// <summary>The "KafkaFast" configuration section AddKafkaFast was given (request-event options and key checks read it).</summary>
internal sealed class KafkaFastRootConfiguration(IConfigurationSection section)
{
    internal const string ProducersKey = "Producers";
    internal const string EmbeddedClusterKey = "EmbeddedCluster";
    internal const string RequestEventsKey = "RequestEvents";

    public IConfigurationSection Section { get; } = section;
}

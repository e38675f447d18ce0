using Microsoft.Extensions.Configuration;

namespace KafkaFast.AspNetCore.Options;

/// <summary>A producer name registered with AddKafkaFast, and the configuration section it was bound from (if any).</summary>
internal sealed class HostedProducerRegistration(string name, IConfigurationSection? section)
{
    public string Name { get; } = name;

    /// <summary>The section the producer is bound from; null when configured in code only.</summary>
    public IConfigurationSection? Section { get; } = section;

    /// <summary>Where errors point: the configuration path ("KafkaFast:Producers:Default") or the producer's name.</summary>
    public string Where => Section?.Path ?? $"KafkaFast producer '{Name}'";

    /// <summary>"KafkaFast:Producers:Default:Linger" (configuration) or "KafkaFast producer 'Default': Linger" (code).</summary>
    public string KeyOf(string setting) => Section is null ? $"{Where}: {setting}" : $"{Section.Path}:{setting}";
}

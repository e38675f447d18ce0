using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace KafkaFast.AspNetCore.Options;

/// <summary>
/// Checks <c>KafkaFast:EmbeddedCluster</c> at start-up, and the keys directly under <c>KafkaFast</c> (a misspelt
/// "Producer" section would otherwise leave the application without producers, silently).
/// </summary>
internal sealed class KafkaFastEmbeddedClusterOptionsValidator(IEnumerable<KafkaFastRootConfiguration> roots) : IValidateOptions<KafkaFastEmbeddedClusterOptions>
{
    private static readonly string[] s_rootKeys = [KafkaFastRootConfiguration.ProducersKey, KafkaFastRootConfiguration.EmbeddedClusterKey, KafkaFastRootConfiguration.RequestEventsKey];
    private static readonly string[] s_clusterKeys = ConfigurationKeys.Of(typeof(KafkaFastEmbeddedClusterOptions));

    public ValidateOptionsResult Validate(string? name, KafkaFastEmbeddedClusterOptions options)
    {
        var errors = new ValidateOptionsResultBuilder();
        string path = "KafkaFast:EmbeddedCluster";
        foreach (KafkaFastRootConfiguration root in roots)
        {
            path = $"{root.Section.Path}:{KafkaFastRootConfiguration.EmbeddedClusterKey}";
            foreach (IConfigurationSection child in root.Section.GetChildren())
            {
                if (!ConfigurationKeys.IsKnown(child.Key, s_rootKeys))
                {
                    errors.AddError(ConfigurationKeys.UnknownKeyError(child.Path, child.Key, s_rootKeys));
                }
            }

            foreach (IConfigurationSection child in root.Section.GetSection(KafkaFastRootConfiguration.EmbeddedClusterKey).GetChildren())
            {
                if (!ConfigurationKeys.IsKnown(child.Key, s_clusterKeys))
                {
                    errors.AddError(ConfigurationKeys.UnknownKeyError(child.Path, child.Key, s_clusterKeys));
                }
            }
        }

        if (options.BrokerCount is < 1 or > 64)
        {
            errors.AddError($"{path}:{nameof(options.BrokerCount)} must be between 1 and 64 (was {options.BrokerCount}).");
        }

        if (options.Partitions is < 1 or > 10_000)
        {
            errors.AddError($"{path}:{nameof(options.Partitions)} must be between 1 and 10000 (was {options.Partitions}).");
        }

        return errors.Build();
    }
}

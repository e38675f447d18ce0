using KafkaFast.Configuration;
using KafkaFast.Producer;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace KafkaFast.AspNetCore.Options;

/// <summary>
/// Checks a named producer's options when the host starts, collecting every error rather than stopping at the first,
/// each naming the configuration key: unknown keys (typos), the core's own rules (<see cref="KafkaProducerOptions.GetValidationErrors"/>,
/// the one source of the producer's rules), topics, statistics and health thresholds. It builds nothing: librdkafka's
/// checks of pass-through properties run when the producer is created (still at start-up) and name the key too.
/// </summary>
internal sealed class HostedProducerOptionsValidator(IEnumerable<HostedProducerRegistration> registrations) : IValidateOptions<HostedProducerOptions>
{
    private static readonly string[] s_producerKeys = ConfigurationKeys.Of(typeof(KafkaProducerOptions));
    private static readonly string[] s_hostKeys = ConfigurationKeys.Of(typeof(HostedProducerOptions)).Where(n => n != nameof(HostedProducerOptions.Producer)).ToArray();
    private static readonly string[] s_healthKeys = ConfigurationKeys.Of(typeof(KafkaFastHealthOptions));

    private readonly HostedProducerRegistration[] _registrations = registrations.ToArray();

    public ValidateOptionsResult Validate(string? name, HostedProducerOptions options)
    {
        HostedProducerRegistration? registration = Array.Find(_registrations, r => r.Name == (name ?? Microsoft.Extensions.Options.Options.DefaultName));
        if (registration is null)
        {
            return ValidateOptionsResult.Skip;
        }

        var errors = new ValidateOptionsResultBuilder();
        void Error(string setting, string reason) => errors.AddError($"{registration.KeyOf(setting)} {reason}.");

        if (registration.Section is not null)
        {
            CheckKeys(registration.Section, errors);
        }

        foreach (OptionError error in options.Producer.GetValidationErrors())
        {
            if (error.Setting == nameof(KafkaProducerOptions.BootstrapServers) && options.UsesEmbeddedCluster)
            {
                continue; // the embedded cluster's address is filled in when the producer is created
            }

            Error(error.Setting, error.Setting == nameof(KafkaProducerOptions.BootstrapServers)
                ? $"is required (host:port[,host:port...]), or \"{HostedProducerOptions.EmbeddedBootstrapServers}\" for an in-process cluster"
                : error.Reason);
        }

        for (int i = 0; i < options.Topics.Count; i++)
        {
            if (TopicName.GetError(options.Topics[i]) is string topicError)
            {
                Error($"{nameof(options.Topics)}:{i}", topicError);
            }
        }

        if (options.StatisticsInterval < TimeSpan.Zero || options.StatisticsInterval > TimeSpan.FromDays(1))
        {
            Error(nameof(options.StatisticsInterval), $"must be between 0 and 1 day (was {options.StatisticsInterval})");
        }

        KafkaFastHealthOptions health = options.Health;
        if (!(health.DegradedBudgetRatio > 0 && health.DegradedBudgetRatio <= 1))
        {
            Error($"Health:{nameof(health.DegradedBudgetRatio)}", $"must be greater than 0 and at most 1 (was {health.DegradedBudgetRatio})");
        }

        if (health.FailureWindow < TimeSpan.Zero)
        {
            Error($"Health:{nameof(health.FailureWindow)}", $"must not be negative (was {health.FailureWindow})");
        }

        if (health.UnhealthyAfter <= TimeSpan.Zero)
        {
            Error($"Health:{nameof(health.UnhealthyAfter)}", $"must be positive (was {health.UnhealthyAfter})");
        }

        if (health.BrokerRemovedAfter <= TimeSpan.Zero)
        {
            Error($"Health:{nameof(health.BrokerRemovedAfter)}", $"must be positive (was {health.BrokerRemovedAfter})");
        }

        return errors.Build();
    }

    /// <summary>Every key under the producer's section must be a setting: a typo must not be silently ignored.</summary>
    private static void CheckKeys(IConfigurationSection section, ValidateOptionsResultBuilder errors)
    {
        foreach (IConfigurationSection child in section.GetChildren())
        {
            if (ConfigurationKeys.IsKnown(child.Key, s_producerKeys) || ConfigurationKeys.IsKnown(child.Key, s_hostKeys))
            {
                if (string.Equals(child.Key, nameof(HostedProducerOptions.Health), StringComparison.OrdinalIgnoreCase))
                {
                    foreach (IConfigurationSection healthChild in child.GetChildren())
                    {
                        if (!ConfigurationKeys.IsKnown(healthChild.Key, s_healthKeys))
                        {
                            errors.AddError(ConfigurationKeys.UnknownKeyError(healthChild.Path, healthChild.Key, s_healthKeys));
                        }
                    }
                }

                continue;
            }

            errors.AddError(ConfigurationKeys.UnknownKeyError(child.Path, child.Key, [.. s_producerKeys, .. s_hostKeys]));
        }
    }
}

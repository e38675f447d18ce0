using KafkaFast.AspNetCore.Options;
using Microsoft.Extensions.Options;

namespace KafkaFast.AspNetCore.RequestEvents;

/// <summary>Start-up check of <c>KafkaFast:RequestEvents</c> (the topic may still come from code, so it is not required here).</summary>
internal sealed class KafkaRequestEventOptionsValidator(IEnumerable<KafkaFastRootConfiguration> roots, IEnumerable<HostedProducerRegistration> producers)
    : IValidateOptions<KafkaRequestEventOptions>
{
    private readonly string[] _producers = producers.Select(p => p.Name).Distinct().ToArray();

    public ValidateOptionsResult Validate(string? name, KafkaRequestEventOptions options)
    {
        foreach (KafkaFastRootConfiguration root in roots)
        {
            Microsoft.Extensions.Configuration.IConfigurationSection section = root.Section.GetSection(KafkaFastRootConfiguration.RequestEventsKey);
            if (section.Path == name)
            {
                return RequestEventOptionsRules.Validate(options, section.Path, section, requireTopic: false, _producers);
            }
        }

        return ValidateOptionsResult.Skip;
    }
}

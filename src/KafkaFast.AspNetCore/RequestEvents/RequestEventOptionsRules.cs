using KafkaFast.AspNetCore.Options;
using KafkaFast.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace KafkaFast.AspNetCore.RequestEvents;

/// <summary>Checks request-event options; every error names the configuration key.</summary>
internal static class RequestEventOptionsRules
{
    private static readonly string[] s_keys = ConfigurationKeys.Of(typeof(KafkaRequestEventOptions));

    /// <param name="options">The options.</param>
    /// <param name="where">"KafkaFast:RequestEvents" or "UseKafkaRequestEvents options".</param>
    /// <param name="section">Checked for unknown keys when given.</param>
    /// <param name="requireTopic">False for the configuration alone (code may still set the topic).</param>
    /// <param name="producerNames">Registered producers.</param>
    internal static ValidateOptionsResult Validate(KafkaRequestEventOptions options, string where, IConfigurationSection? section, bool requireTopic, IReadOnlyCollection<string> producerNames)
    {
        var errors = new ValidateOptionsResultBuilder();
        void Error(string setting, string reason) => errors.AddError($"{where}:{setting} {reason}.");

        if (section is not null)
        {
            foreach (IConfigurationSection child in section.GetChildren())
            {
                if (!ConfigurationKeys.IsKnown(child.Key, s_keys))
                {
                    errors.AddError(ConfigurationKeys.UnknownKeyError(child.Path, child.Key, s_keys));
                }
            }
        }

        if (string.IsNullOrEmpty(options.Topic))
        {
            if (requireTopic)
            {
                Error(nameof(options.Topic), "is required (the topic request events are written to)");
            }
        }
        else if (TopicName.GetError(options.Topic) is string topicError)
        {
            Error(nameof(options.Topic), topicError);
        }

        if (!producerNames.Contains(options.ProducerName))
        {
            Error(nameof(options.ProducerName), $"names no registered producer ('{options.ProducerName}'; registered: {string.Join(", ", producerNames)})");
        }

        if (options.Phases is not (RequestEventPhases.Start or RequestEventPhases.End or RequestEventPhases.Both))
        {
            Error(nameof(options.Phases), $"must be Start, End or Both (was {options.Phases})");
        }

        if (!(options.SamplingRatio is >= 0 and <= 1))
        {
            Error(nameof(options.SamplingRatio), $"must be between 0 and 1 (was {options.SamplingRatio})");
        }

        if (!Enum.IsDefined(options.Key))
        {
            Error(nameof(options.Key), $"must be one of {string.Join(", ", Enum.GetNames<RequestEventKey>())} (was {options.Key})");
        }

        if (options.BudgetFullWait < TimeSpan.Zero || options.BudgetFullWait > TimeSpan.FromSeconds(10))
        {
            Error(nameof(options.BudgetFullWait), $"must be between 0 and 10 s: it delays the request (was {options.BudgetFullWait})");
        }

        for (int i = 0; i < options.ExcludePaths.Count; i++)
        {
            if (string.IsNullOrEmpty(options.ExcludePaths[i]) || options.ExcludePaths[i][0] != '/')
            {
                Error($"{nameof(options.ExcludePaths)}:{i}", $"must start with '/' (was '{options.ExcludePaths[i]}')");
            }
        }

        for (int i = 0; i < options.IncludeHeaders.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(options.IncludeHeaders[i]))
            {
                Error($"{nameof(options.IncludeHeaders)}:{i}", "is empty");
            }
        }

        return errors.Build();
    }
}

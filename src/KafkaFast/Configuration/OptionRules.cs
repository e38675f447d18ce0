namespace KafkaFast.Configuration;

/// <summary>The checks and the secret-safe description shared by the producer's and the consumer's options.</summary>
internal static class OptionRules
{
    internal static void Require(bool condition, string setting, string reason)
    {
        if (!condition)
        {
            throw new ArgumentException($"{setting} {reason}.", setting);
        }
    }

    internal static void RequireDuration(TimeSpan value, string setting, TimeSpan min, TimeSpan max) =>
        Require(value >= min && value <= max, setting, $"must be between {min} and {max} (was {value})");

    /// <summary>key=value pairs with secret values shown as ***.</summary>
    internal static string DescribeProperties(IDictionary<string, string> properties, Func<string, bool> isSecret) =>
        string.Join(", ", properties.Select(p => $"{p.Key}={(isSecret(p.Key) ? "***" : p.Value)}"));
}

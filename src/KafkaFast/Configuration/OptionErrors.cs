using System.Globalization;

namespace KafkaFast.Configuration;

/// <summary>
/// Collects every bad setting of one options object (the options' rules add to it; nothing stops at the first). The
/// options' <c>Validate()</c> throws the first as an <see cref="ArgumentException"/>; hosts forward them all.
/// </summary>
internal sealed class OptionErrors
{
    private readonly List<OptionError> _errors = [];

    internal IReadOnlyList<OptionError> All => _errors;

    internal void Add(string setting, object? value, string reason) => _errors.Add(new OptionError(setting, Text(value), reason));

    internal void Require(bool condition, string setting, object? value, string reason)
    {
        if (!condition)
        {
            Add(setting, value, reason);
        }
    }

    internal void RequireRange(long value, string setting, long min, long max) =>
        Require(value >= min && value <= max, setting, value, $"must be between {min} and {max} (was {value})");

    internal void RequireDuration(TimeSpan value, string setting, TimeSpan min, TimeSpan max) =>
        Require(value >= min && value <= max, setting, value, $"must be between {min} and {max} (was {value})");

    internal void RequireDefined<TEnum>(TEnum value, string setting)
        where TEnum : struct, Enum =>
        Require(Enum.IsDefined(value), setting, value, $"has unknown value {value} (known: {string.Join(", ", Enum.GetNames<TEnum>())})");

    /// <summary>Every pass-through property has a name and a value; <paramref name="reserved"/> names the reason a property may not be set.</summary>
    internal void RequireProperties(IDictionary<string, string> properties, Func<string, string?> reserved)
    {
        foreach ((string key, string value) in properties)
        {
            if (string.IsNullOrWhiteSpace(key))
            {
                Add("Properties", null, "contains an empty property name");
            }
            else if (value is null)
            {
                Add($"Properties:{key}", null, "has no value");
            }
            else if (reserved(key) is string reason)
            {
                Add($"Properties:{key}", KafkaProperties.IsSecret(key) ? KafkaProperties.Hidden : value, reason);
            }
        }
    }

    /// <summary>Throws the first error as an <see cref="ArgumentException"/> naming its property (ParamName).</summary>
    internal static void ThrowFirst(IReadOnlyList<OptionError> errors)
    {
        if (errors.Count > 0)
        {
            throw new ArgumentException(errors[0].Message, errors[0].PropertyName);
        }
    }

    private static string? Text(object? value) => value switch
    {
        null => null,
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };
}

using System.CommandLine;
using System.Globalization;

namespace KafkaFast.Tool;

/// <summary>Durations on the command line: "30s", "500ms", "2m", or a plain number of seconds.</summary>
internal static class Durations
{
    /// <summary>A --timeout option with a default, accepting the forms above (a bad one is a usage error naming it).</summary>
    internal static Option<TimeSpan> TimeoutOption(TimeSpan defaultValue, string description) => new("--timeout")
    {
        Description = $"{description} (e.g. 30s, 500ms, 2m; default {Format(defaultValue)})",
        DefaultValueFactory = _ => defaultValue,
        CustomParser = result =>
        {
            string text = result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Empty;
            if (TryParse(text, out TimeSpan value) && value > TimeSpan.Zero && value <= TimeSpan.FromHours(24))
            {
                return value;
            }

            result.AddError($"--timeout '{text}': expected a duration between 1ms and 24h, e.g. 30s, 500ms, 2m");
            return default;
        },
    };

    internal static bool TryParse(string text, out TimeSpan value)
    {
        (string number, double scale) = text switch
        {
            _ when text.EndsWith("ms", StringComparison.Ordinal) => (text[..^2], 1.0),
            _ when text.EndsWith('s') => (text[..^1], 1000.0),
            _ when text.EndsWith('m') => (text[..^1], 60_000.0),
            _ when text.EndsWith('h') => (text[..^1], 3_600_000.0),
            _ => (text, 1000.0),
        };
        bool ok = double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double amount);
        value = ok ? TimeSpan.FromMilliseconds(amount * scale) : default;
        return ok;
    }

    internal static string Format(TimeSpan value) => value.TotalSeconds >= 1 && value.Milliseconds == 0
        ? string.Create(CultureInfo.InvariantCulture, $"{value.TotalSeconds:0}s")
        : string.Create(CultureInfo.InvariantCulture, $"{value.TotalMilliseconds:0}ms");
}

using System.Reflection;

namespace KafkaFast.AspNetCore.Options;

/// <summary>
/// Which keys a configuration section may hold (the settable properties of the options it binds to), and the error for
/// one it may not: a misspelt key would otherwise be ignored without anyone noticing.
/// </summary>
internal static class ConfigurationKeys
{
    /// <summary>The public settable properties of <paramref name="type"/>: the keys its section may hold.</summary>
    internal static string[] Of(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Select(p => p.Name).ToArray();

    /// <summary>Whether <paramref name="key"/> is one of <paramref name="names"/> (configuration keys ignore case).</summary>
    internal static bool IsKnown(string key, string[] names) => names.Contains(key, StringComparer.OrdinalIgnoreCase);

    /// <summary>"KafkaFast:Producers:Default:MemoryBudgetByte is not a KafkaFast setting. Did you mean 'MemoryBudgetBytes'? Known settings: ..."</summary>
    internal static string UnknownKeyError(string path, string key, string[] known)
    {
        string? suggestion = known.MinBy(k => Distance(k.ToUpperInvariant(), key.ToUpperInvariant()));
        string hint = suggestion is not null && Distance(suggestion.ToUpperInvariant(), key.ToUpperInvariant()) <= Math.Max(2, key.Length / 3)
            ? $" Did you mean '{suggestion}'?"
            : string.Empty;
        return $"{path} is not a KafkaFast setting.{hint} Known settings: {string.Join(", ", known)} (librdkafka properties go under Properties).";
    }

    /// <summary>Levenshtein distance, for "did you mean".</summary>
    private static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}

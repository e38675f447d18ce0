using System.Reflection;
using KafkaFast.Producer;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace KafkaFast.AspNetCore.Options;

/// <summary>
/// Checks a named producer's options when the host starts (ValidateOnStart), collecting every error rather than
/// stopping at the first, each naming the configuration key: unknown keys (typos), the producer's own ranges and
/// rules, topics, health thresholds. It builds nothing: librdkafka's checks of pass-through properties run when the
/// producer is created (still at start-up) and are reported with the key too.
/// </summary>
/// <remarks>
/// The producer rules mirror <c>KafkaProducerOptions.Validate</c>, which is internal to KafkaFast; when the core
/// exposes a public validation entry point this class should call it instead.
/// </remarks>
internal sealed class KafkaFastProducerOptionsValidator(IEnumerable<KafkaFastProducerRegistration> registrations) : IValidateOptions<KafkaFastProducerOptions>
{
    /// <summary>Properties KafkaFast owns (KafkaProducerOptions.ReservedProperties).</summary>
    private static readonly string[] s_reservedProperties = ["delivery.report.only.error", "dr_cb", "dr_msg_cb", "log.queue", "enabled_events", "opaque"];

    private static readonly string[] s_producerKeys = SettableNames(typeof(KafkaProducerOptions));
    private static readonly string[] s_hostKeys = SettableNames(typeof(KafkaFastProducerOptions)).Where(n => n != nameof(KafkaFastProducerOptions.Producer)).ToArray();
    private static readonly string[] s_healthKeys = SettableNames(typeof(KafkaFastHealthOptions));

    private readonly KafkaFastProducerRegistration[] _registrations = registrations.ToArray();

    public ValidateOptionsResult Validate(string? name, KafkaFastProducerOptions options)
    {
        KafkaFastProducerRegistration? registration = Array.Find(_registrations, r => r.Name == (name ?? Microsoft.Extensions.Options.Options.DefaultName));
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

        CheckProducer(options.Producer, options.UsesEmbeddedCluster, Error);
        for (int i = 0; i < options.Topics.Count; i++)
        {
            if (TopicNameError(options.Topics[i]) is string topicError)
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

    /// <summary>The rules KafkaProducerOptions.Validate applies (it is internal), every failure reported.</summary>
    internal static void CheckProducer(KafkaProducerOptions o, bool embedded, Action<string, string> error)
    {
        if (!embedded && string.IsNullOrWhiteSpace(o.BootstrapServers) && !o.Properties.ContainsKey("bootstrap.servers"))
        {
            error(nameof(o.BootstrapServers), $"is required (host:port[,host:port...]), or \"{KafkaFastProducerOptions.EmbeddedBootstrapServers}\" for an in-process cluster");
        }

        if (o.MaxClients is < 1 or > 64)
        {
            error(nameof(o.MaxClients), $"must be between 1 and 64 (was {o.MaxClients})");
        }

        if (o.MessageMaxBytes is < 1000 or > 1_000_000_000)
        {
            error(nameof(o.MessageMaxBytes), $"must be between 1000 and 1000000000 (was {o.MessageMaxBytes})");
        }
        else if (o.MaxClients is >= 1 and <= 64)
        {
            long slab = (o.MessageMaxBytes + 64L * 1024 + 64 * 1024 - 1) / (64 * 1024) * (64 * 1024);
            long minimum = 2L * o.MaxClients * slab;
            if (o.MemoryBudgetBytes < minimum)
            {
                error(nameof(o.MemoryBudgetBytes), $"is {o.MemoryBudgetBytes} bytes; with MessageMaxBytes {o.MessageMaxBytes} and MaxClients {o.MaxClients} it must be at least {minimum} (two slabs of {slab} bytes per client)");
            }
        }

        if (o.MemoryBudgetBytes > 64L * 1024 * 1024 * 1024)
        {
            error(nameof(o.MemoryBudgetBytes), "must be at most 64 GiB");
        }

        Defined(o.OverflowPolicy, nameof(o.OverflowPolicy), error);
        Defined(o.Acks, nameof(o.Acks), error);
        Defined(o.Compression, nameof(o.Compression), error);
        Defined(o.Partitioner, nameof(o.Partitioner), error);
        Duration(o.OverflowTimeout, nameof(o.OverflowTimeout), TimeSpan.Zero, TimeSpan.FromHours(1), error);
        Duration(o.Linger, nameof(o.Linger), TimeSpan.Zero, TimeSpan.FromMilliseconds(900_000), error);
        Duration(o.MessageTimeout, nameof(o.MessageTimeout), TimeSpan.Zero, TimeSpan.FromMilliseconds(int.MaxValue), error);
        Duration(o.CloseTimeout, nameof(o.CloseTimeout), TimeSpan.Zero, TimeSpan.FromHours(1), error);
        Duration(o.MetadataTimeout, nameof(o.MetadataTimeout), TimeSpan.FromMilliseconds(1), TimeSpan.FromHours(1), error);
        if (o.FailureBufferCapacity is < 1 or > 1_000_000)
        {
            error(nameof(o.FailureBufferCapacity), $"must be between 1 and 1000000 (was {o.FailureBufferCapacity})");
        }

        if (string.IsNullOrWhiteSpace(o.ClientId))
        {
            error(nameof(o.ClientId), "must not be empty");
        }

        if (o.EnableIdempotence && o.Acks != Acks.All && Enum.IsDefined(o.Acks))
        {
            error(nameof(o.Acks), $"must be All while EnableIdempotence is true (was {o.Acks}); set EnableIdempotence to false to use acks={(int)o.Acks}");
        }

        foreach ((string key, string value) in o.Properties)
        {
            if (string.IsNullOrWhiteSpace(key))
            {
                error(nameof(o.Properties), "contains an empty property name");
            }
            else if (value is null)
            {
                error($"{nameof(o.Properties)}:{key}", "has no value");
            }
            else if (s_reservedProperties.Contains(key, StringComparer.Ordinal))
            {
                error($"{nameof(o.Properties)}:{key}", "is managed by KafkaFast (buffers are reused only after each message's delivery report) and cannot be set");
            }
        }
    }

    internal static string? TopicNameError(string? topic)
    {
        if (string.IsNullOrEmpty(topic))
        {
            return "is empty";
        }

        if (topic.Length > 249)
        {
            return $"is {topic.Length} characters long; Kafka allows at most 249";
        }

        if (topic is "." or "..")
        {
            return $"'{topic}' is not allowed as a topic name";
        }

        foreach (char c in topic)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
            {
                return $"'{topic}' contains '{c}'; topic names allow only ASCII letters, digits, '.', '_' and '-'";
            }
        }

        return null;
    }

    /// <summary>Every key under the producer's section must be a setting: a typo must not be silently ignored.</summary>
    private static void CheckKeys(IConfigurationSection section, ValidateOptionsResultBuilder errors)
    {
        foreach (IConfigurationSection child in section.GetChildren())
        {
            if (Known(child.Key, s_producerKeys) || Known(child.Key, s_hostKeys))
            {
                if (string.Equals(child.Key, nameof(KafkaFastProducerOptions.Health), StringComparison.OrdinalIgnoreCase))
                {
                    foreach (IConfigurationSection healthChild in child.GetChildren())
                    {
                        if (!Known(healthChild.Key, s_healthKeys))
                        {
                            errors.AddError(UnknownKey(healthChild.Path, healthChild.Key, s_healthKeys));
                        }
                    }
                }

                continue;
            }

            errors.AddError(UnknownKey(child.Path, child.Key, [.. s_producerKeys, .. s_hostKeys]));
        }
    }

    internal static string UnknownKey(string path, string key, string[] known)
    {
        string? suggestion = known.MinBy(k => Distance(k.ToUpperInvariant(), key.ToUpperInvariant()));
        string hint = suggestion is not null && Distance(suggestion.ToUpperInvariant(), key.ToUpperInvariant()) <= Math.Max(2, key.Length / 3)
            ? $" Did you mean '{suggestion}'?"
            : string.Empty;
        return $"{path} is not a KafkaFast setting.{hint} Known settings: {string.Join(", ", known)} (librdkafka properties go under Properties).";
    }

    internal static bool Known(string key, string[] names) => names.Contains(key, StringComparer.OrdinalIgnoreCase);

    internal static string[] SettableNames(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Select(p => p.Name).ToArray();

    private static void Defined<TEnum>(TEnum value, string setting, Action<string, string> error)
        where TEnum : struct, Enum
    {
        if (!Enum.IsDefined(value))
        {
            error(setting, $"has unknown value {value} (known: {string.Join(", ", Enum.GetNames<TEnum>())})");
        }
    }

    private static void Duration(TimeSpan value, string setting, TimeSpan min, TimeSpan max, Action<string, string> error)
    {
        if (value < min || value > max)
        {
            error(setting, $"must be between {min} and {max} (was {value})");
        }
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

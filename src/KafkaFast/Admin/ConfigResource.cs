namespace KafkaFast.Admin;

/// <summary>What a configuration belongs to.</summary>
public enum ConfigResourceType
{
    /// <summary>A topic (name: the topic).</summary>
    Topic = 2,

    /// <summary>A consumer group (name: the group id; Kafka 4.0+).</summary>
    Group = 3,

    /// <summary>A broker (name: its id as a string, e.g. "1").</summary>
    Broker = 4,
}

/// <summary>A configurable thing: a topic, a group or a broker.</summary>
/// <param name="Type">What kind of resource.</param>
/// <param name="Name">Its name (topic name, group id, broker id).</param>
public readonly record struct ConfigResource(ConfigResourceType Type, string Name)
{
    /// <summary>A topic's configuration.</summary>
    public static ConfigResource Topic(string name) => new(ConfigResourceType.Topic, name);

    /// <summary>A broker's configuration.</summary>
    public static ConfigResource Broker(int id) => new(ConfigResourceType.Broker, id.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <inheritdoc/>
    public override string ToString() => $"{Type.ToString().ToLowerInvariant()} '{Name}'";
}

/// <summary>Where a configuration value comes from (librdkafka's rd_kafka_ConfigSource_t).</summary>
public enum ConfigSource
{
    /// <summary>Unknown.</summary>
    Unknown = 0,

    /// <summary>Set for this topic.</summary>
    DynamicTopic = 1,

    /// <summary>Set for this broker at run time.</summary>
    DynamicBroker = 2,

    /// <summary>Set at run time as the default of every broker.</summary>
    DynamicDefaultBroker = 3,

    /// <summary>The broker's server.properties.</summary>
    StaticBroker = 4,

    /// <summary>Kafka's built-in default.</summary>
    Default = 5,

    /// <summary>Set for this group.</summary>
    DynamicGroup = 8,
}

/// <summary>One configuration value of a resource.</summary>
/// <param name="Name">The configuration name, e.g. "retention.ms".</param>
/// <param name="Value">Its value; null when sensitive (passwords) or unset.</param>
/// <param name="Source">Where the value comes from.</param>
/// <param name="IsReadOnly">Whether it cannot be altered.</param>
/// <param name="IsDefault">Whether it is the default value.</param>
/// <param name="IsSensitive">Whether the value is hidden.</param>
public sealed record ConfigEntry(string Name, string? Value, ConfigSource Source, bool IsReadOnly, bool IsDefault, bool IsSensitive);

/// <summary>How <see cref="ConfigAlteration"/> changes a value (Kafka's IncrementalAlterConfigs operations).</summary>
public enum ConfigAlterationType
{
    /// <summary>Set the value.</summary>
    Set = 0,

    /// <summary>Remove the value: back to the default.</summary>
    Delete = 1,

    /// <summary>Add to a list value.</summary>
    Append = 2,

    /// <summary>Remove from a list value.</summary>
    Subtract = 3,
}

/// <summary>One change of an incremental configuration update; values not named keep theirs.</summary>
/// <param name="Name">The configuration name.</param>
/// <param name="Value">The value (ignored for <see cref="ConfigAlterationType.Delete"/>).</param>
/// <param name="Operation">What to do with it.</param>
public readonly record struct ConfigAlteration(string Name, string? Value, ConfigAlterationType Operation = ConfigAlterationType.Set)
{
    /// <summary>Sets <paramref name="name"/> to <paramref name="value"/>.</summary>
    public static ConfigAlteration Set(string name, string value) => new(name, value, ConfigAlterationType.Set);

    /// <summary>Removes <paramref name="name"/>'s value (the default applies again).</summary>
    public static ConfigAlteration Delete(string name) => new(name, null, ConfigAlterationType.Delete);
}

namespace KafkaFast.Configuration;

/// <summary>What KafkaFast knows about librdkafka's pass-through properties: which are secret, which it manages itself.</summary>
internal static class KafkaProperties
{
    /// <summary>Shown instead of a secret value.</summary>
    internal const string Hidden = "***";

    /// <summary>Producer properties KafkaFast owns: setting them would break zero-copy or the accounting.</summary>
    internal static readonly HashSet<string> ProducerReserved = new(StringComparer.Ordinal)
    {
        "delivery.report.only.error", "dr_cb", "dr_msg_cb", "log.queue", "enabled_events", "opaque",
    };

    /// <summary>Consumer properties KafkaFast owns, and the setting to use instead (null: not settable).</summary>
    internal static readonly Dictionary<string, string?> ConsumerReserved = new(StringComparer.Ordinal)
    {
        ["enable.auto.commit"] = "CommitMode",
        ["enable.auto.offset.store"] = "CommitMode",
        ["enable.partition.eof"] = null,
        ["log.queue"] = null,
        ["enabled_events"] = null,
        ["opaque"] = null,
        ["rebalance_cb"] = null,
        ["offset_commit_cb"] = null,
        ["error_cb"] = null,
        ["log_cb"] = null,
        ["consume_cb"] = null,
        ["background_event_cb"] = null,
        ["default_topic_conf"] = null,
    };

    /// <summary>Admin client properties KafkaFast owns: its result queue, error and log events depend on them.</summary>
    internal static readonly HashSet<string> AdminReserved = new(StringComparer.Ordinal)
    {
        "log.queue", "enabled_events", "opaque", "error_cb", "log_cb", "background_event_cb", "dr_cb", "dr_msg_cb",
    };

    /// <summary>Whether a property's value must never be shown (logs, exceptions, ToString).</summary>
    internal static bool IsSecret(string key) =>
        key.Contains("password", StringComparison.OrdinalIgnoreCase) ||
        key.Contains("secret", StringComparison.OrdinalIgnoreCase) ||
        key.Contains("ssl.key", StringComparison.OrdinalIgnoreCase) ||
        key.Contains(".pem", StringComparison.OrdinalIgnoreCase) ||
        key.Contains("token", StringComparison.OrdinalIgnoreCase);

    /// <summary>key=value pairs with secret values shown as ***.</summary>
    internal static string Describe(IDictionary<string, string> properties) =>
        string.Join(", ", properties.Select(p => $"{p.Key}={(IsSecret(p.Key) ? Hidden : p.Value)}"));
}

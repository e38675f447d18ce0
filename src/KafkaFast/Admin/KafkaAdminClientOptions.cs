using KafkaFast.Configuration;

namespace KafkaFast.Admin;

/// <summary>
/// Settings of a <see cref="KafkaAdminClient"/>, checked when the client is built: a bad value throws an
/// <see cref="ArgumentException"/> naming the setting and the reason (librdkafka's own for pass-through properties).
/// Values of properties whose name contains "password", "secret", "token", "ssl.key" or ".pem" never appear in messages.
/// </summary>
public sealed class KafkaAdminClientOptions
{
    /// <summary>Comma-separated host:port list (librdkafka's bootstrap.servers). Required.</summary>
    public string BootstrapServers { get; set; } = string.Empty;

    /// <summary>client.id, shown in broker logs. Default "kafkafast-admin".</summary>
    public string ClientId { get; set; } = "kafkafast-admin";

    /// <summary>
    /// How long a request may take before it fails with <see cref="KafkaErrorCode.TimedOut"/>, answered or not
    /// (librdkafka's request timeout; for topic and partition changes the broker also waits this long for the change to
    /// complete). Default 30 s; 1 ms .. 1 hour.
    /// </summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>librdkafka properties passed through as they are (e.g. "security.protocol", "sasl.mechanisms").</summary>
    public IDictionary<string, string> Properties { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    internal int RequestTimeoutMilliseconds => (int)Math.Ceiling(RequestTimeout.TotalMilliseconds);

    /// <summary>Every bad setting (librdkafka checks its pass-through properties itself when the client is built).</summary>
    public IReadOnlyList<OptionError> GetValidationErrors()
    {
        var errors = new OptionErrors();
        errors.Require(!string.IsNullOrWhiteSpace(BootstrapServers) || Properties.ContainsKey("bootstrap.servers"), nameof(BootstrapServers), BootstrapServers,
            "is required (host:port[,host:port...]); for the embedded cluster use KafkaMockCluster.BootstrapServers");
        errors.Require(!string.IsNullOrWhiteSpace(ClientId), nameof(ClientId), ClientId, "must not be empty");
        errors.RequireDuration(RequestTimeout, nameof(RequestTimeout), TimeSpan.FromMilliseconds(1), TimeSpan.FromHours(1));
        errors.RequireProperties(Properties, key => KafkaProperties.AdminReserved.Contains(key)
            ? "is managed by KafkaFast's admin client (its result queue, error and log events depend on it) and cannot be set"
            : null);
        return errors.All;
    }

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first bad setting.</summary>
    internal void Validate() => OptionErrors.ThrowFirst(GetValidationErrors());

    /// <summary>The settings, with secret values shown as ***.</summary>
    public override string ToString() =>
        $"BootstrapServers={BootstrapServers}, ClientId={ClientId}, RequestTimeout={RequestTimeout}, Properties=[{KafkaProperties.Describe(Properties)}]";
}

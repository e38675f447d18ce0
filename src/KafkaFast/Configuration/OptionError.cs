namespace KafkaFast.Configuration;

/// <summary>
/// One bad setting found by <c>KafkaProducerOptions.GetValidationErrors()</c> or <c>KafkaConsumerOptions.GetValidationErrors()</c>.
/// </summary>
/// <param name="Setting">
/// The setting, as a configuration path below the options: <c>"MaxClients"</c>, or <c>"Properties:dr_msg_cb"</c> for a
/// pass-through librdkafka property. Prefix it with the options' own path to name a configuration key.
/// </param>
/// <param name="Value">The value that was refused, as text; <c>"***"</c> for a secret property; null when the setting is missing.</param>
/// <param name="Reason">What is wrong, to follow the setting's name: "must be between 1 and 64 (was 100)".</param>
public sealed record OptionError(string Setting, string? Value, string Reason)
{
    /// <summary>"{Setting} {Reason}." — the text the options' own check throws.</summary>
    public string Message => $"{Setting} {Reason}.";

    /// <summary>The option's property name (the part of <see cref="Setting"/> before ':'), e.g. for an ArgumentException's ParamName.</summary>
    public string PropertyName => Setting.IndexOf(':', StringComparison.Ordinal) is int colon and >= 0 ? Setting[..colon] : Setting;

    /// <inheritdoc/>
    public override string ToString() => Message;
}

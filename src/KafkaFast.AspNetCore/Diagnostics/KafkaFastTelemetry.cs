namespace KafkaFast.AspNetCore.Diagnostics;

/// <summary>Names to subscribe to: the meter and the activity source of KafkaFast.AspNetCore.</summary>
public static class KafkaFastTelemetry
{
    /// <summary>The <see cref="System.Diagnostics.Metrics.Meter"/> name (e.g. for OpenTelemetry's <c>AddMeter</c>).</summary>
    public const string MeterName = "KafkaFast";

    /// <summary>The <see cref="System.Diagnostics.ActivitySource"/> name (e.g. for OpenTelemetry's <c>AddSource</c>): one "send {topic}" producer span per request event.</summary>
    public const string ActivitySourceName = "KafkaFast";
}

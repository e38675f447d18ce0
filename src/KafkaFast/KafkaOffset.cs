namespace KafkaFast;

/// <summary>Offsets with a special meaning (librdkafka's RD_KAFKA_OFFSET_* values).</summary>
public static class KafkaOffset
{
    /// <summary>The oldest message still in the partition.</summary>
    public const long Beginning = -2;

    /// <summary>The end of the partition: only messages written from now on.</summary>
    public const long End = -1;

    /// <summary>The group's committed offset (what a consumer starts from by default).</summary>
    public const long Stored = -1000;

    /// <summary>No offset: nothing committed, or no position yet.</summary>
    public const long Unset = -1001;

    internal static string ToString(long offset) => offset switch
    {
        Beginning => "Beginning",
        End => "End",
        Stored => "Stored",
        Unset => "Unset",
        _ => offset.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}

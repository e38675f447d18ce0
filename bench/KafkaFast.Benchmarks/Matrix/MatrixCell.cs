using System.Globalization;

namespace KafkaFast.Benchmarks.Matrix;

/// <summary>One cell of the latency matrix: every broker's round-trip time, and the offered load (0 = flat out).</summary>
internal readonly record struct MatrixCell(int RttMs, int Rate)
{
    /// <summary>Issue 11's matrix: RTT {0, 5, 50, 200} ms x {flat out, paced 20k msgs/s, paced 2k msgs/s}.</summary>
    internal static readonly IReadOnlyList<MatrixCell> All =
        [.. from rtt in new[] { 0, 5, 50, 200 } from rate in new[] { 0, 20_000, 2_000 } select new MatrixCell(rtt, rate)];

    internal bool FlatOut => Rate == 0;

    /// <summary>"200/flat", "5/20k", "50/1500": the form --matrix-cells takes.</summary>
    public override string ToString() => $"{RttMs}/{RateName}";

    internal string RateName => Rate switch
    {
        0 => "flat",
        _ when Rate % 1000 == 0 => $"{Rate / 1000}k",
        _ => Rate.ToString(CultureInfo.InvariantCulture),
    };

    internal string LoadDescription => FlatOut ? "flat out" : $"paced {Rate:N0} msgs/s";

    /// <summary>Parses "RTT/LOAD": RTT in ms (0..10000), LOAD "flat", "20k" or a rate in msgs/s.</summary>
    internal static bool TryParse(string text, out MatrixCell cell, out string? error)
    {
        cell = default;
        error = null;
        string[] parts = text.Split('/', StringSplitOptions.TrimEntries);
        if (parts.Length != 2 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int rtt) || rtt > 10_000)
        {
            error = $"'{text}' is not RTT/LOAD (RTT 0..10000 ms), e.g. 200/flat, 5/20k, 50/2000";
            return false;
        }

        string load = parts[1].ToLowerInvariant();
        int rate;
        if (load is "flat" or "flat-out" or "0")
        {
            rate = 0;
        }
        else if (!(load.EndsWith('k') ? int.TryParse(load[..^1], NumberStyles.None, CultureInfo.InvariantCulture, out rate) && (rate *= 1000) > 0
                   : int.TryParse(load, NumberStyles.None, CultureInfo.InvariantCulture, out rate)) || rate <= 0 || rate > 10_000_000)
        {
            error = $"'{text}': the load is 'flat' or a rate of 1..10000000 msgs/s (e.g. 20k, 2000)";
            return false;
        }

        cell = new MatrixCell(rtt, rate);
        return true;
    }
}

/// <summary>The clients the matrix compares.</summary>
internal enum MatrixClient
{
    /// <summary>The C program under bench/raw-c: rd_kafka_producev + rd_kafka_poll per message.</summary>
    RawC,

    /// <summary>KafkaFast TryProduce.</summary>
    KafkaFast,

    /// <summary>Confluent.Kafka Produce with a delivery handler.</summary>
    Confluent,
}

/// <summary>One row of a cell: a client, and for KafkaFast its memory budget (null: the settings' default).</summary>
internal readonly record struct MatrixRow(MatrixClient Client, long? BudgetBytes)
{
    internal string Name => Client switch
    {
        MatrixClient.RawC => "raw C librdkafka (producev + poll)",
        MatrixClient.KafkaFast => BudgetBytes is { } budget ? $"KafkaFast TryProduce ({budget / (1024 * 1024)} MiB)" : "KafkaFast TryProduce",
        _ => "Confluent Produce + delivery handler",
    };

    /// <summary>The name --matrix-clients takes.</summary>
    internal static string OptionName(MatrixClient client) => client switch
    {
        MatrixClient.RawC => "c",
        MatrixClient.KafkaFast => "kafkafast",
        _ => "confluent",
    };
}

using System.Text.Json;

namespace KafkaFast.AspNetCore.Hosting;

/// <summary>
/// The parts of librdkafka's statistics JSON (statistics.interval.ms) that health and metrics use. librdkafka's
/// latencies are in microseconds, over the last statistics window.
/// </summary>
internal sealed class LibrdkafkaStatistics
{
    /// <summary>librdkafka's "ts": a monotonic clock in microseconds when the statistics were emitted.</summary>
    public long Timestamp { get; private init; }

    /// <summary>Messages in librdkafka's queues ("msg_cnt").</summary>
    public long QueuedMessages { get; private init; }

    /// <summary>Bytes in librdkafka's queues ("msg_size").</summary>
    public long QueuedBytes { get; private init; }

    public IReadOnlyList<BrokerStatistics> Brokers { get; private init; } = [];

    internal static LibrdkafkaStatistics Parse(string json)
    {
        using JsonDocument document = JsonDocument.Parse(json);
        JsonElement root = document.RootElement;
        var brokers = new List<BrokerStatistics>();
        if (root.TryGetProperty("brokers", out JsonElement brokersElement) && brokersElement.ValueKind == JsonValueKind.Object)
        {
            foreach (JsonProperty broker in brokersElement.EnumerateObject())
            {
                JsonElement b = broker.Value;
                brokers.Add(new BrokerStatistics(
                    broker.Name,
                    String(b, "nodename") ?? broker.Name,
                    (int)Int(b, "nodeid", -1),
                    String(b, "state") ?? "INIT",
                    Int(b, "connects", 0),
                    Int(b, "disconnects", 0),
                    Window(b, "rtt"),
                    Window(b, "int_latency"),
                    Window(b, "outbuf_latency")));
            }
        }

        return new LibrdkafkaStatistics
        {
            Timestamp = Int(root, "ts", 0),
            QueuedMessages = Int(root, "msg_cnt", 0),
            QueuedBytes = Int(root, "msg_size", 0),
            Brokers = brokers,
        };
    }

    private static string? String(JsonElement e, string name) =>
        e.TryGetProperty(name, out JsonElement v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static long Int(JsonElement e, string name, long fallback) =>
        e.TryGetProperty(name, out JsonElement v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out long n) ? n : fallback;

    private static LatencyWindow Window(JsonElement e, string name)
    {
        if (!e.TryGetProperty(name, out JsonElement w) || w.ValueKind != JsonValueKind.Object)
        {
            return default;
        }

        return new LatencyWindow(Int(w, "cnt", 0), Int(w, "avg", 0), Int(w, "p50", 0), Int(w, "p99", 0), Int(w, "max", 0));
    }
}

/// <summary>One broker as one librdkafka client sees it.</summary>
/// <param name="Name">librdkafka's broker name, e.g. "127.0.0.1:9092/1", or ".../bootstrap" before metadata.</param>
/// <param name="Address">host:port.</param>
/// <param name="NodeId">The broker id; -1 for a bootstrap entry not yet matched to a broker.</param>
/// <param name="State">UP, DOWN, INIT (never connected: librdkafka connects only to brokers it needs), CONNECT, TRY_CONNECT, AUTH...</param>
/// <param name="Connects">Connection attempts that succeeded.</param>
/// <param name="Disconnects">Connections lost.</param>
/// <param name="RoundTrip">Request round-trip time window ("rtt").</param>
/// <param name="InternalLatency">Time in librdkafka's producer queue before sending ("int_latency").</param>
/// <param name="OutputBufferLatency">Time in the broker's output buffer ("outbuf_latency").</param>
internal readonly record struct BrokerStatistics(string Name, string Address, int NodeId, string State, long Connects, long Disconnects,
    LatencyWindow RoundTrip, LatencyWindow InternalLatency, LatencyWindow OutputBufferLatency)
{
    public bool IsUp => State == "UP";

    /// <summary>Known to be unreachable: in a failed state, or disconnected and not back up.</summary>
    public bool IsDown => State is "DOWN" or "TRY_CONNECT" || (!IsUp && Disconnects > 0);
}

/// <summary>A latency window in microseconds (Count 0: no sample in the window).</summary>
internal readonly record struct LatencyWindow(long Count, long Average, long P50, long P99, long Max);

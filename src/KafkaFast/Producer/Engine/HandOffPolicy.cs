using System.Diagnostics;
using System.Globalization;
using KafkaFast.Buffers;
using KafkaFast.Configuration;
using KafkaFast.Native;

namespace KafkaFast.Producer.Engine;

/// <summary>
/// How workers hand records to librdkafka: whether partitions may be gated (one request's worth at a time), when
/// a partition's gate engages, and how much a request holds. Read once from the effective librdkafka
/// configuration (pass-through properties included).
/// </summary>
/// <remarks>
/// An idempotent librdkafka spins a broker thread whenever a partition holds a message past its linger behind an
/// in-flight request. That needs a round trip longer than linger.ms: a message queued after the request left
/// comes due only linger.ms later. So a partition whose round trip is short is handed everything at once, as
/// without the gate (no added latency); once its round trip passes the linger, its gate engages and it is
/// handed at most one request's worth, the next only after every delivery report of the previous.
/// A hand-off must be enqueued completely within librdkafka's linger (or its first messages leave alone and the
/// rest wait behind them: the spin); <see cref="HandOffTimeBudgetTicks"/> bounds it.
/// </remarks>
internal sealed class HandOffPolicy
{
    /// <summary>ProduceRequest framing besides the records, the client id and the topic name (request header, record batch header), with room to spare.</summary>
    private const int RequestFramingAllowance = 512;

    /// <summary>librdkafka's RD_KAFKAP_MESSAGE_V2_MAX_OVERHEAD: the framing it assumes for the next record when it decides whether one more fits.</summary>
    private const int LargestRecordFraming = 36;

    private HandOffPolicy(bool gated, double lingerMs, int maxMessages, long maxBytes, long messageTimeoutMs)
    {
        MessageTimeoutMs = messageTimeoutMs;
        MessageTimeoutTicks = messageTimeoutMs > 0 ? (long)Math.Min(messageTimeoutMs * (double)Stopwatch.Frequency / 1000, long.MaxValue / 2) : long.MaxValue / 2;
        Gated = gated;
        LingerMs = lingerMs;
        MaxMessages = maxMessages;
        MaxBytes = maxBytes;
        long lingerMicroseconds = (long)(lingerMs * 1000);
        EngageAboveMicroseconds = lingerMicroseconds;
        ReleaseBelowMicroseconds = lingerMicroseconds / 2;
        EngageAfterTicks = (long)((lingerMs + Math.Max(lingerMs / 2, 1)) * Stopwatch.Frequency / 1000);
        HandOffTimeBudgetTicks = (long)(Math.Max(lingerMs, 0.2) / 2 * Stopwatch.Frequency / 1000);
    }

    /// <summary>Whether partitions are gated when their round trip is long (idempotent producer, gate enabled).</summary>
    internal bool Gated { get; }

    /// <summary>message.timeout.ms: a message waiting in the producer (gate, metadata) longer fails as it would in librdkafka.</summary>
    internal long MessageTimeoutMs { get; }

    /// <summary><see cref="MessageTimeoutMs"/> in Stopwatch ticks (no timeout: far in the future).</summary>
    internal long MessageTimeoutTicks { get; }

    /// <summary>librdkafka's linger.ms.</summary>
    internal double LingerMs { get; }

    /// <summary>A partition's gate engages when its round trip (delivery latency less the linger) passes this.</summary>
    internal long EngageAboveMicroseconds { get; }

    /// <summary>
    /// A released gate engages at once when a hand-off has been in flight this long (one and a half lingers, at
    /// least a linger and a millisecond): librdkafka sends it after one linger and, with the round trip under half a
    /// linger that released the gate, its reports would be back by then.
    /// </summary>
    internal long EngageAfterTicks { get; }

    /// <summary>An engaged gate releases when the round trip falls under this (hysteresis).</summary>
    internal long ReleaseBelowMicroseconds { get; }

    /// <summary>Messages per gated hand-off (batch.num.messages).</summary>
    internal int MaxMessages { get; }

    /// <summary>Estimated wire bytes per gated hand-off: min(batch.size, message.max.bytes) less the request's framing and one record's largest framing.</summary>
    internal long MaxBytes { get; }

    /// <summary>A gated hand-off stops after this long (the rest goes next time) so that librdkafka's linger covers all of it.</summary>
    internal long HandOffTimeBudgetTicks { get; }

    /// <summary>Reads the effective settings from a client configuration (before rd_kafka_new).</summary>
    internal static HandOffPolicy Read(SafeConfigHandle conf, bool gateEnabled)
    {
        double linger = ReadDouble(conf, "linger.ms", 5);
        bool idempotent = LibRdKafka.ConfGetString(conf, "enable.idempotence") == "true";
        int maxMessages = (int)ReadDouble(conf, "batch.num.messages", 10_000);
        long batchSize = (long)ReadDouble(conf, "batch.size", 1_000_000);
        long messageMaxBytes = (long)ReadDouble(conf, "message.max.bytes", 1_000_000);
        int framing = RequestFramingAllowance + TopicName.MaxLength + (LibRdKafka.ConfGetString(conf, "client.id")?.Length ?? 0);
        long maxBytes = Math.Max(1, Math.Min(batchSize, messageMaxBytes) - framing - LargestRecordFraming);
        long messageTimeout = (long)ReadDouble(conf, "message.timeout.ms", 300_000);
        return new HandOffPolicy(gateEnabled && idempotent, linger, Math.Max(1, maxMessages), maxBytes, messageTimeout);
    }

    /// <summary>
    /// A record's size in a v2 record batch, from above: varints at their largest for the lengths involved,
    /// a timestamp delta of 2 bytes (10 with an explicit timestamp: it may be far from the batch's first), an
    /// offset delta of 3 bytes (batches under 2^19 messages), each header at most 10 bytes of varints plus name
    /// and value. librdkafka closes a request when its bytes so far plus 36 (its largest framing) would pass the
    /// limit, so a hand-off whose estimates stay under <see cref="MaxBytes"/> is one request.
    /// </summary>
    internal static unsafe long WireSize(MessageRecord* record)
    {
        long body = 1 + (record->Timestamp != 0 ? 10 : 2) + 3 +
            VarintSize(record->KeyLength) + record->KeyLength +
            VarintSize(record->ValueLength) + record->ValueLength +
            VarintSize(record->HeaderCount) + record->HeadersLength + record->HeaderCount;
        return VarintSize(body) + body;
    }

    /// <summary>Bytes of a zig-zag varint for a non-negative length.</summary>
    private static int VarintSize(long length) => length < 64 ? 1 : length < 8192 ? 2 : length < 1 << 20 ? 3 : length < 1 << 27 ? 4 : 5;

    private static double ReadDouble(SafeConfigHandle conf, string name, double fallback) =>
        double.TryParse(LibRdKafka.ConfGetString(conf, name), NumberStyles.Float, CultureInfo.InvariantCulture, out double value) ? value : fallback;
}

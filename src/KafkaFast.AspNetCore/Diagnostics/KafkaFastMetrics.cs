using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using KafkaFast.AspNetCore.Hosting;
using KafkaFast.Producer;

namespace KafkaFast.AspNetCore.Diagnostics;

/// <summary>
/// KafkaFast's instruments, on the meter <see cref="KafkaFastTelemetry.MeterName"/> from <see cref="IMeterFactory"/>.
/// Names follow the OpenTelemetry messaging conventions where one exists
/// (<c>messaging.client.sent.messages</c>, <c>messaging.client.operation.duration</c>); the rest are <c>kafkafast.*</c>.
/// Nothing per event is recorded on the request path: producer counters and the events produced are observable (read
/// when collected); the send duration is timed on one event in <see cref="OperationSampleInterval"/> per request
/// thread; delivery latency comes from the producer worker's delivery reports (one in DeliveryReportSampleInterval).
/// Only drops are counted as they happen (rare, and never to go unseen).
/// </summary>
internal sealed class KafkaFastMetrics
{
    internal const string SystemTag = "messaging.system";
    internal const string OperationNameTag = "messaging.operation.name";
    internal const string OperationTypeTag = "messaging.operation.type";
    internal const string DestinationTag = "messaging.destination.name";
    internal const string ClientIdTag = "messaging.client.id";
    internal const string ErrorTypeTag = "error.type";
    internal const string ProducerTag = "kafkafast.producer.name";
    internal const string ReasonTag = "kafkafast.reason";
    internal const string PhaseTag = "kafkafast.request_event.phase";
    internal const string BrokerIdTag = "kafkafast.broker.id";
    internal const string ServerAddressTag = "server.address";
    internal const string StatisticTag = "kafkafast.statistic";

    /// <summary>One event in this many, per request thread, has its send timed (messaging.client.operation.duration).</summary>
    internal const int OperationSampleInterval = 64;

    /// <summary>Observable readings may be this old: one collection reads each producer once, not once per instrument.</summary>
    private static readonly TimeSpan s_readingMaxAge = TimeSpan.FromMilliseconds(200);

    private readonly KafkaProducerRegistry _registry;
    private readonly Histogram<double> _operationDuration;
    private readonly Histogram<double> _deliveryDuration;
    private readonly Counter<long> _eventsDropped;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string Topic, string Phase), StripedCounter> _produced = new();

    public KafkaFastMetrics(IMeterFactory meterFactory, KafkaProducerRegistry registry)
    {
        _registry = registry;
        registry.DeliverySampled = RecordDelivery;
        Meter meter = meterFactory.Create(KafkaFastTelemetry.MeterName);

        _operationDuration = meter.CreateHistogram<double>("messaging.client.operation.duration", "s",
            "Duration of a send as the caller sees it: serializing the event and handing it to the producer (not the broker's acknowledgement, see kafkafast.producer.delivery.duration); one request event in 64 per request thread is timed.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.000_001, 0.000_002, 0.000_005, 0.000_01, 0.000_02, 0.000_05, 0.000_1, 0.000_2, 0.000_5, 0.001, 0.005, 0.01, 0.1] });
        _deliveryDuration = meter.CreateHistogram<double>("kafkafast.producer.delivery.duration", "s",
            "Time from handing a message to librdkafka to its delivery report (acknowledgement or failure), from one delivery report in DeliveryReportSampleInterval (per producer client).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60, 300] });
        meter.CreateObservableCounter<long>("kafkafast.request_events.produced", ObserveProduced, "{event}", "Request events accepted by the producer.");
        _eventsDropped = meter.CreateCounter<long>("kafkafast.request_events.dropped", "{event}", "Request events not written, by reason (budget_full, closed, fatal, too_large, topic_unavailable, error).");

        meter.CreateObservableCounter<long>("messaging.client.sent.messages", ObserveSent, "{message}",
            "Messages the producer sent to the brokers: delivered, or failed (error.type set to the error code).");
        meter.CreateObservableCounter<long>("kafkafast.producer.accepted", () => ObserveEach(static s => s.Accepted), "{message}", "Messages accepted by produce calls.");
        meter.CreateObservableCounter<long>("kafkafast.producer.failed", ObserveFailed, "{message}", "Accepted messages that failed, by error code (error.type).");
        meter.CreateObservableCounter<long>("kafkafast.producer.rejected", ObserveRejected, "{call}", "Produce calls refused (nothing accepted), by reason.");
        meter.CreateObservableCounter<long>("kafkafast.producer.failures.dropped", () => ObserveEach(static s => s.FailuresDropped), "{message}",
            "Failures dropped from the producer's Failures channel because nobody read them (still counted as failed).");
        meter.CreateObservableUpDownCounter<long>("kafkafast.producer.in_flight", () => ObserveEach(static s => s.InFlight), "{message}", "Messages accepted and not yet delivered or failed.");
        meter.CreateObservableUpDownCounter<long>("kafkafast.producer.budget.usage", () => ObserveEach(static s => s.BudgetBytesInUse), "By", "Bytes of the memory budget in use (whole slabs).");
        meter.CreateObservableUpDownCounter<long>("kafkafast.producer.budget.limit", () => ObserveEach(static s => s.BudgetBytes), "By", "The memory budget.");

        meter.CreateObservableGauge<double>("kafkafast.librdkafka.broker.rtt", () => ObserveBrokers(static b => b.RoundTrip), "s",
            "Broker round-trip time over librdkafka's last statistics window (kafkafast.statistic = avg, p50, p99, max).");
        meter.CreateObservableGauge<double>("kafkafast.librdkafka.broker.internal_latency", () => ObserveBrokers(static b => b.InternalLatency), "s",
            "Time messages waited in librdkafka's queue before being sent, over the last statistics window (kafkafast.statistic = avg, p50, p99, max).");
        meter.CreateObservableGauge<int>("kafkafast.librdkafka.broker.up", ObserveBrokerUp, "{broker}", "1 when librdkafka has a working connection to the broker, else 0.");
        meter.CreateObservableUpDownCounter<long>("kafkafast.librdkafka.queue.messages", ObserveQueue, "{message}", "Messages in librdkafka's queues (msg_cnt).");
    }

    public bool OperationDurationEnabled => _operationDuration.Enabled;

    public bool DeliveryDurationEnabled => _deliveryDuration.Enabled;

    [MethodImpl(MethodImplOptions.NoInlining)]
    public void RecordOperation(string topic, double seconds, string? errorType)
    {
        var tags = new TagList
        {
            { SystemTag, "kafka" },
            { OperationNameTag, "send" },
            { OperationTypeTag, "send" },
            { DestinationTag, topic },
        };
        if (errorType is not null)
        {
            tags.Add(ErrorTypeTag, errorType);
        }

        _operationDuration.Record(seconds, tags);
    }

    /// <summary>A delivery report sample from a producer's worker thread (KafkaProducerOptions.DeliveryReportSampled).</summary>
    public void RecordDelivery(string producer, DeliveryReportSample sample)
    {
        if (!_deliveryDuration.Enabled)
        {
            return;
        }

        var tags = new TagList { { SystemTag, "kafka" }, { DestinationTag, sample.Topic }, { ProducerTag, producer } };
        if (sample.Error != KafkaErrorCode.NoError)
        {
            tags.Add(ErrorTypeTag, sample.Error.ToString());
        }

        _deliveryDuration.Record(sample.Latency.TotalSeconds, tags);
    }

    /// <summary>The count of request events accepted for <paramref name="topic"/> in <paramref name="phase"/> ("start", "end"), read when collected.</summary>
    public StripedCounter ProducedCounter(string topic, string phase) => _produced.GetOrAdd((topic, phase), static _ => new StripedCounter());

    /// <summary>Counts a dropped event (always: drops are rare and must never go unseen).</summary>
    public void EventDropped(string topic, string reason) =>
        _eventsDropped.Add(1, new TagList { { SystemTag, "kafka" }, { DestinationTag, topic }, { ReasonTag, reason } });

    private static KeyValuePair<string, object?>[] ProducerTags(KafkaProducerRegistry.ProducerEntry entry, params ReadOnlySpan<KeyValuePair<string, object?>> extra)
    {
        var tags = new KeyValuePair<string, object?>[3 + extra.Length];
        tags[0] = new(SystemTag, "kafka");
        tags[1] = new(ClientIdTag, entry.Monitor.ClientId);
        tags[2] = new(ProducerTag, entry.Name);
        extra.CopyTo(tags.AsSpan(3));
        return tags;
    }

    private List<Measurement<long>> ObserveEach(Func<ProducerStatistics, long> read)
    {
        var result = new List<Measurement<long>>();
        foreach (KafkaProducerRegistry.ProducerEntry entry in _registry.Started)
        {
            result.Add(new Measurement<long>(read(entry.Monitor.Statistics(s_readingMaxAge)), ProducerTags(entry)));
        }

        return result;
    }

    private List<Measurement<long>> ObserveProduced()
    {
        var result = new List<Measurement<long>>();
        foreach (((string topic, string phase), StripedCounter counter) in _produced)
        {
            result.Add(new Measurement<long>(counter.Sum(), new KeyValuePair<string, object?>(SystemTag, "kafka"),
                new KeyValuePair<string, object?>(DestinationTag, topic), new KeyValuePair<string, object?>(PhaseTag, phase)));
        }

        return result;
    }

    private List<Measurement<long>> ObserveSent()
    {
        var result = new List<Measurement<long>>();
        foreach (KafkaProducerRegistry.ProducerEntry entry in _registry.Started)
        {
            ProducerStatistics s = entry.Monitor.Statistics(s_readingMaxAge);
            result.Add(new Measurement<long>(s.Delivered, ProducerTags(entry)));
            foreach ((KafkaErrorCode code, long count) in s.FailedByError)
            {
                result.Add(new Measurement<long>(count, ProducerTags(entry, new KeyValuePair<string, object?>(ErrorTypeTag, code.ToString()))));
            }
        }

        return result;
    }

    private List<Measurement<long>> ObserveFailed()
    {
        var result = new List<Measurement<long>>();
        foreach (KafkaProducerRegistry.ProducerEntry entry in _registry.Started)
        {
            foreach ((KafkaErrorCode code, long count) in entry.Monitor.Statistics(s_readingMaxAge).FailedByError)
            {
                result.Add(new Measurement<long>(count, ProducerTags(entry, new KeyValuePair<string, object?>(ErrorTypeTag, code.ToString()))));
            }
        }

        return result;
    }

    private List<Measurement<long>> ObserveRejected()
    {
        var result = new List<Measurement<long>>();
        foreach (KafkaProducerRegistry.ProducerEntry entry in _registry.Started)
        {
            foreach ((ProduceRejectReason reason, long count) in entry.Monitor.Statistics(s_readingMaxAge).Rejected)
            {
                result.Add(new Measurement<long>(count, ProducerTags(entry, new KeyValuePair<string, object?>(ReasonTag, reason.ToString()))));
            }
        }

        return result;
    }

    private List<Measurement<double>> ObserveBrokers(Func<BrokerStatistics, LatencyWindow> window)
    {
        var result = new List<Measurement<double>>();
        foreach (KafkaProducerRegistry.ProducerEntry entry in _registry.Started)
        {
            foreach (LibrdkafkaStatistics? client in entry.Monitor.Librdkafka(s_readingMaxAge))
            {
                if (client is null)
                {
                    continue;
                }

                foreach (BrokerStatistics broker in client.Brokers)
                {
                    LatencyWindow w = window(broker);
                    if (broker.NodeId < 0 || w.Count == 0)
                    {
                        continue;
                    }

                    var id = new KeyValuePair<string, object?>(BrokerIdTag, broker.NodeId.ToString(System.Globalization.CultureInfo.InvariantCulture));
                    var address = new KeyValuePair<string, object?>(ServerAddressTag, broker.Address);
                    result.Add(new Measurement<double>(w.Average / 1e6, ProducerTags(entry, id, address, new(StatisticTag, "avg"))));
                    result.Add(new Measurement<double>(w.P50 / 1e6, ProducerTags(entry, id, address, new(StatisticTag, "p50"))));
                    result.Add(new Measurement<double>(w.P99 / 1e6, ProducerTags(entry, id, address, new(StatisticTag, "p99"))));
                    result.Add(new Measurement<double>(w.Max / 1e6, ProducerTags(entry, id, address, new(StatisticTag, "max"))));
                }
            }
        }

        return result;
    }

    private List<Measurement<int>> ObserveBrokerUp()
    {
        var result = new List<Measurement<int>>();
        foreach (KafkaProducerRegistry.ProducerEntry entry in _registry.Started)
        {
            foreach (LibrdkafkaStatistics? client in entry.Monitor.Librdkafka(s_readingMaxAge))
            {
                foreach (BrokerStatistics broker in client?.Brokers ?? [])
                {
                    if (broker.NodeId >= 0)
                    {
                        result.Add(new Measurement<int>(broker.IsUp ? 1 : 0, ProducerTags(entry,
                            new(BrokerIdTag, broker.NodeId.ToString(System.Globalization.CultureInfo.InvariantCulture)), new(ServerAddressTag, broker.Address))));
                    }
                }
            }
        }

        return result;
    }

    private List<Measurement<long>> ObserveQueue()
    {
        var result = new List<Measurement<long>>();
        foreach (KafkaProducerRegistry.ProducerEntry entry in _registry.Started)
        {
            long queued = 0;
            bool any = false;
            foreach (LibrdkafkaStatistics? client in entry.Monitor.Librdkafka(s_readingMaxAge))
            {
                if (client is not null)
                {
                    queued += client.QueuedMessages;
                    any = true;
                }
            }

            if (any)
            {
                result.Add(new Measurement<long>(queued, ProducerTags(entry)));
            }
        }

        return result;
    }

    /// <summary>The activity source for "send {topic}" producer spans.</summary>
    internal static readonly ActivitySource ActivitySource = new(KafkaFastTelemetry.ActivitySourceName);
}

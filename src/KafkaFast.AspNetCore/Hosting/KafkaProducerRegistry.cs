using System.Globalization;
using KafkaFast.AspNetCore.Options;
using KafkaFast.Mock;
using KafkaFast.Producer;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace KafkaFast.AspNetCore.Hosting;

/// <summary>
/// Creates, holds and closes the named producers and the embedded cluster. Creation happens once per name, under
/// one lock, when the host starts (<see cref="StartAll"/>) or on first use; it blocks on topic metadata, which is
/// why it belongs to start-up. Closing is the hosted service's job (bounded by the host's shutdown timeout);
/// <see cref="DisposeAsync"/> only closes what is still open (a host that failed to start).
/// </summary>
internal sealed class KafkaProducerRegistry : IKafkaProducerProvider, IAsyncDisposable
{
    private readonly object _sync = new();
    private readonly Dictionary<string, HostedProducerRegistration> _registrations;
    private readonly IOptionsMonitor<HostedProducerOptions> _options;
    private readonly IOptions<KafkaFastEmbeddedClusterOptions> _embeddedOptions;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;

    // Guarded by _sync; entries are only added, the array is replaced (readers take it without the lock).
    private readonly Dictionary<string, ProducerEntry> _entries = new(StringComparer.Ordinal);
    private ProducerEntry[] _started = [];
    private readonly HashSet<string> _embeddedTopics = new(StringComparer.Ordinal);
    private KafkaMockCluster? _cluster;
    private bool _disposed;

    public KafkaProducerRegistry(IEnumerable<HostedProducerRegistration> registrations, IOptionsMonitor<HostedProducerOptions> options,
        IOptions<KafkaFastEmbeddedClusterOptions> embeddedOptions, ILoggerFactory loggerFactory, TimeProvider? time = null)
    {
        _registrations = new Dictionary<string, HostedProducerRegistration>(StringComparer.Ordinal);
        foreach (HostedProducerRegistration registration in registrations)
        {
            _registrations.TryAdd(registration.Name, registration);
        }

        _options = options;
        _embeddedOptions = embeddedOptions;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger("KafkaFast.Hosting");
        _time = time ?? TimeProvider.System;
        Names = [.. _registrations.Keys];
    }

    public IReadOnlyCollection<string> Names { get; }

    public KafkaMockCluster? EmbeddedCluster => Volatile.Read(ref _cluster);

    /// <summary>
    /// Where every producer's delivery report samples go (KafkaProducerOptions.DeliveryReportSampled, on its worker
    /// thread), with the producer's name: the metrics set it when they are created.
    /// </summary>
    internal Action<string, DeliveryReportSample>? DeliverySampled { get; set; }

    /// <summary>The producers created so far (for metrics); no lock, no allocation.</summary>
    internal IReadOnlyList<ProducerEntry> Started => Volatile.Read(ref _started);

    public KafkaProducer GetProducer(string name = HostedProducerOptions.DefaultName) => GetEntry(name).Producer;

    internal ProducerMonitor GetMonitor(string name) => GetEntry(name).Monitor;

    /// <summary>Creates every registered producer (host start): a property librdkafka refuses (every one, in one exception) or an unreachable cluster fails start-up here.</summary>
    internal void StartAll()
    {
        var invalid = new List<OptionsValidationException>();
        foreach (string name in _registrations.Keys)
        {
            try
            {
                GetEntry(name);
            }
            catch (OptionsValidationException ex)
            {
                invalid.Add(ex); // librdkafka refused a property: go on, so that every producer's are reported at once
            }
        }

        if (invalid.Count > 0)
        {
            throw StartupOptionsCheck.Combine(invalid);
        }
    }

    internal ProducerEntry GetEntry(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        ProducerEntry[] started = Volatile.Read(ref _started);
        foreach (ProducerEntry entry in started)
        {
            if (entry.Name == name)
            {
                return entry;
            }
        }

        lock (_sync)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_entries.TryGetValue(name, out ProducerEntry? existing))
            {
                return existing;
            }

            if (!_registrations.TryGetValue(name, out HostedProducerRegistration? registration))
            {
                throw new InvalidOperationException(
                    $"No KafkaFast producer named '{name}' is registered (registered: {string.Join(", ", _registrations.Keys)}). Add it with services.AddKafkaFast(...).AddProducer(\"{name}\", ...) or under KafkaFast:Producers:{name}.");
            }

            ProducerEntry created = Create(registration);
            _entries.Add(name, created);
            Volatile.Write(ref _started, [.. _started, created]);
            return created;
        }
    }

    private ProducerEntry Create(HostedProducerRegistration registration)
    {
        HostedProducerOptions options = _options.Get(registration.Name); // runs the validators (throws OptionsValidationException)
        KafkaProducerOptions producerOptions = options.Producer;
        if (options.UsesEmbeddedCluster)
        {
            KafkaMockCluster cluster = EmbeddedClusterUnsynchronized();
            foreach (string topic in options.Topics)
            {
                if (_embeddedTopics.Add(topic))
                {
                    cluster.CreateTopic(topic, _embeddedOptions.Value.Partitions);
                }
            }

            producerOptions.BootstrapServers = cluster.BootstrapServers;
        }

        // Delivery latency for the metrics comes from the worker's delivery reports (after the application's own observer).
        Action<DeliveryReportSample>? observer = producerOptions.DeliveryReportSampled;
        string name = registration.Name;
        producerOptions.DeliveryReportSampled = observer is null
            ? sample => DeliverySampled?.Invoke(name, sample)
            : sample =>
            {
                observer(sample);
                DeliverySampled?.Invoke(name, sample);
            };

        if (options.StatisticsInterval > TimeSpan.Zero && !producerOptions.Properties.ContainsKey("statistics.interval.ms"))
        {
            producerOptions.Properties["statistics.interval.ms"] = ((long)options.StatisticsInterval.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
        }

        HostingLog.ProducerOptions(_logger, registration.Name, options); // secrets shown as ***
        KafkaProducer producer;
        try
        {
            producer = new KafkaProducer(producerOptions, new PerProducerLoggerFactory(_loggerFactory, registration.Name));
        }
        catch (ArgumentException ex)
        {
            // The core names the setting (a property of KafkaProducerOptions, or a librdkafka property): point at the key.
            throw new OptionsValidationException(registration.Name, typeof(HostedProducerOptions), [$"{registration.KeyOf(SettingOf(ex, producerOptions))} is invalid: {MessageOf(ex)}"]);
        }

        try
        {
            foreach (string topic in options.Topics)
            {
                try
                {
                    producer.GetTopic(topic);
                }
                catch (Exception ex) when (ex is KafkaException or TimeoutException or ArgumentException)
                {
                    throw new InvalidOperationException(
                        $"KafkaFast producer '{registration.Name}' could not resolve topic '{topic}' ({registration.KeyOf(nameof(options.Topics))}) at {producerOptions.BootstrapServers} within {producerOptions.MetadataTimeout}: {ex.Message}", ex);
                }
            }

            long statisticsMs = producerOptions.Properties.TryGetValue("statistics.interval.ms", out string? value) && long.TryParse(value, CultureInfo.InvariantCulture, out long ms) ? ms : 0;
            var monitor = new ProducerMonitor(registration.Name, producer, options, TimeSpan.FromMilliseconds(statisticsMs), _time, _logger);
            HostingLog.ProducerStarted(_logger, registration.Name, options.UsesEmbeddedCluster ? $"embedded cluster {producerOptions.BootstrapServers}" : producerOptions.BootstrapServers,
                string.Join(", ", options.Topics), producerOptions.MemoryBudgetBytes);
            return new ProducerEntry(registration.Name, producer, monitor, options);
        }
        catch
        {
            producer.CloseAsync(TimeSpan.Zero).GetAwaiter().GetResult();
            throw;
        }
    }

    private KafkaMockCluster EmbeddedClusterUnsynchronized()
    {
        if (_cluster is null)
        {
            KafkaFastEmbeddedClusterOptions options = _embeddedOptions.Value;
            var cluster = new KafkaMockCluster(options.BrokerCount);
            Volatile.Write(ref _cluster, cluster);
            HostingLog.EmbeddedClusterStarted(_logger, options.BrokerCount, cluster.BootstrapServers);
        }

        return _cluster;
    }

    /// <summary>
    /// Closes every producer at once, each waiting at most <paramref name="timeout"/> (capped by its CloseTimeout) for
    /// messages in flight, and logs exactly how many were not delivered, and why.
    /// </summary>
    internal Task CloseAllAsync(TimeSpan timeout)
    {
        ProducerEntry[] entries = Volatile.Read(ref _started);
        return Task.WhenAll(entries.Select(e => CloseAsync(e, timeout)));
    }

    private async Task CloseAsync(ProducerEntry entry, TimeSpan timeout)
    {
        if (Interlocked.Exchange(ref entry.Closing, 1) != 0)
        {
            return;
        }

        entry.Monitor.Dispose();
        TimeSpan wait = timeout < TimeSpan.Zero ? TimeSpan.Zero : timeout;
        if (wait > entry.Options.Producer.CloseTimeout)
        {
            wait = entry.Options.Producer.CloseTimeout;
        }

        long inFlight = entry.Producer.GetStatistics().InFlight;
        HostingLog.Draining(_logger, entry.Name, inFlight, wait.TotalSeconds);
        ProducerCloseResult result = await entry.Producer.CloseAsync(wait).ConfigureAwait(false);
        ProducerStatistics final = entry.Producer.GetStatistics();
        if (result.Failed == 0)
        {
            HostingLog.ClosedAllDelivered(_logger, entry.Name, result.Accepted, result.Delivered);
            return;
        }

        string reasons = string.Join(", ", final.FailedByError.OrderByDescending(p => p.Value).Select(p => $"{p.Key} ({(int)p.Key}) = {p.Value}"));
        HostingLog.ClosedWithLosses(_logger, entry.Name, result.Failed, result.Accepted, result.Delivered, result.PurgedAtClose, wait.TotalSeconds, reasons);
    }

    /// <summary>Stops the embedded cluster (after the producers, which may still be talking to it).</summary>
    internal void StopEmbeddedCluster()
    {
        KafkaMockCluster? cluster = Interlocked.Exchange(ref _cluster, null);
        if (cluster is not null)
        {
            cluster.Dispose();
            HostingLog.EmbeddedClusterStopped(_logger);
        }
    }

    public async ValueTask DisposeAsync()
    {
        lock (_sync)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
        }

        // Only producers the host did not stop (start-up failed, or no host): their own CloseTimeout applies.
        foreach (ProducerEntry entry in Volatile.Read(ref _started))
        {
            await CloseAsync(entry, entry.Options.Producer.CloseTimeout).ConfigureAwait(false);
        }

        StopEmbeddedCluster();
    }

    /// <summary>Which setting an ArgumentException from the core names (a KafkaProducerOptions property or a librdkafka property).</summary>
    private static string SettingOf(ArgumentException ex, KafkaProducerOptions options)
    {
        string? parameter = ex.ParamName;
        if (parameter is null)
        {
            return "Properties";
        }

        if (typeof(KafkaProducerOptions).GetProperty(parameter) is not null)
        {
            return parameter;
        }

        return options.Properties.ContainsKey(parameter) ? $"Properties:{parameter}" : parameter == "options" ? "MemoryBudgetBytes" : $"Properties:{parameter}";
    }

    /// <summary>The message without ArgumentException's " (Parameter 'x')" suffix.</summary>
    private static string MessageOf(ArgumentException ex)
    {
        string message = ex.Message;
        int suffix = ex.ParamName is null ? -1 : message.LastIndexOf($" (Parameter '{ex.ParamName}')", StringComparison.Ordinal);
        return suffix >= 0 ? message[..suffix] : message;
    }

    /// <summary>One producer and what watches it.</summary>
    internal sealed class ProducerEntry(string name, KafkaProducer producer, ProducerMonitor monitor, HostedProducerOptions options)
    {
        public string Name { get; } = name;

        public KafkaProducer Producer { get; } = producer;

        public ProducerMonitor Monitor { get; } = monitor;

        public HostedProducerOptions Options { get; } = options;

        /// <summary>1 once a close started.</summary>
        public int Closing;
    }
}

using KafkaFast.AspNetCore.Diagnostics;
using KafkaFast.AspNetCore.Options;
using KafkaFast.Producer;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace KafkaFast.AspNetCore.Hosting;

/// <summary>
/// Watches one producer: polls its counters and librdkafka's statistics (the core has no callback for either), and
/// turns them into health. Broker knowledge comes from the statistics: librdkafka connects only to brokers it needs
/// (INIT = never connected, not down), drops brokers that leave the cluster's metadata, and re-bootstraps when none
/// is reachable, so "down" is: a broker it had connected to and lost, or one that vanished from the metadata.
/// </summary>
/// <remarks>Thread-safe: the poll timer, health checks and metric collections all call <see cref="Poll"/>; one lock guards every field below.</remarks>
internal sealed class ProducerMonitor : IDisposable
{
    private readonly object _sync = new();
    private readonly KafkaFastHealthOptions _health;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ITimer _timer;

    // Guarded by _sync.
    private ProducerStatistics _statistics;
    private string?[] _rawStatistics = [];
    private LibrdkafkaStatistics?[] _parsed = [];
    private readonly Dictionary<int, (string Address, long LastSeen)> _knownBrokers = [];
    private long _pollTimestamp;
    private long? _noneUpSince;
    private long? _lastFailureAt;
    private long _failedSeen;
    private HealthStatus _lastStatus = HealthStatus.Healthy;

    public ProducerMonitor(string name, KafkaProducer producer, HostedProducerOptions options, TimeSpan statisticsInterval, TimeProvider time, ILogger logger)
    {
        Name = name;
        Producer = producer;
        ClientId = options.Producer.ClientId;
        _health = options.Health;
        _time = time;
        _logger = logger;
        StatisticsInterval = statisticsInterval;
        _statistics = producer.GetStatistics();
        _failedSeen = _statistics.Failed;
        _pollTimestamp = time.GetTimestamp();
        TimeSpan period = statisticsInterval > TimeSpan.Zero ? statisticsInterval : TimeSpan.FromSeconds(1);
        _timer = time.CreateTimer(static s => ((ProducerMonitor)s!).PollFromTimer(), this, period, period);
    }

    public string Name { get; }

    public string ClientId { get; }

    public KafkaProducer Producer { get; }

    /// <summary>librdkafka's statistics interval; zero when statistics are off.</summary>
    public TimeSpan StatisticsInterval { get; }

    private volatile bool _isFatal;

    /// <summary>The latest fatal state seen (no allocation: read on the request path to name a refusal).</summary>
    public bool IsFatal => _isFatal;

    /// <summary>Counters no older than <paramref name="maxAge"/> (polls if needed).</summary>
    public ProducerStatistics Statistics(TimeSpan maxAge)
    {
        lock (_sync)
        {
            if (_time.GetElapsedTime(_pollTimestamp) > maxAge)
            {
                PollUnsynchronized();
            }

            return _statistics;
        }
    }

    /// <summary>The latest parsed librdkafka statistics, one entry per client (null until the first arrives).</summary>
    public IReadOnlyList<LibrdkafkaStatistics?> Librdkafka(TimeSpan maxAge)
    {
        lock (_sync)
        {
            if (_time.GetElapsedTime(_pollTimestamp) > maxAge)
            {
                PollUnsynchronized();
            }

            return _parsed;
        }
    }

    public void Poll()
    {
        lock (_sync)
        {
            PollUnsynchronized();
        }
    }

    /// <summary>Polls, then judges: unhealthy (fatal, or no broker reachable for UnhealthyAfter), degraded, or healthy.</summary>
    public HealthCheckResult Assess()
    {
        HealthCheckResult result;
        lock (_sync)
        {
            PollUnsynchronized();
            result = AssessUnsynchronized();
            if (result.Status != _lastStatus)
            {
                HostingLog.HealthChanged(_logger, Name, _lastStatus, result.Status, result.Description ?? string.Empty);
                _lastStatus = result.Status;
            }
        }

        return result;
    }

    public void Dispose() => _timer.Dispose();

    private void PollFromTimer()
    {
        try
        {
            Assess(); // keeps the "since" clocks and the logged status current even when nobody probes
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            HostingLog.MonitorFailed(_logger, ex, Name);
        }
    }

    private void PollUnsynchronized()
    {
        long now = _time.GetTimestamp();
        _pollTimestamp = now;
        _statistics = Producer.GetStatistics();
        _isFatal = _statistics.IsFatal;
        if (_statistics.Failed > _failedSeen)
        {
            _failedSeen = _statistics.Failed;
            _lastFailureAt = now;
        }

        IReadOnlyList<string?> raw = _statistics.LibrdkafkaStatistics;
        if (_rawStatistics.Length != raw.Count)
        {
            _rawStatistics = new string?[raw.Count];
            _parsed = new LibrdkafkaStatistics?[raw.Count];
        }

        bool changed = false;
        for (int i = 0; i < raw.Count; i++)
        {
            string? json = raw[i];
            if (json is null || ReferenceEquals(json, _rawStatistics[i]))
            {
                continue;
            }

            _rawStatistics[i] = json;
            try
            {
                // A new array each time: readers outside the lock keep a consistent one.
                var parsed = (LibrdkafkaStatistics?[])_parsed.Clone();
                parsed[i] = LibrdkafkaStatistics.Parse(json);
                _parsed = parsed;
                changed = true;
            }
            catch (System.Text.Json.JsonException ex)
            {
                HostingLog.StatisticsUnreadable(_logger, ex, Name, i);
            }
        }

        if (changed)
        {
            UpdateBrokersUnsynchronized(now);
        }
    }

    private void UpdateBrokersUnsynchronized(long now)
    {
        bool anyUp = false;
        bool anyEntry = false;
        foreach (LibrdkafkaStatistics? client in _parsed)
        {
            if (client is null)
            {
                continue;
            }

            foreach (BrokerStatistics broker in client.Brokers)
            {
                anyEntry = true;
                anyUp |= broker.IsUp;
                if (broker.NodeId >= 0)
                {
                    _knownBrokers[broker.NodeId] = (broker.Address, now);
                }
            }
        }

        if (anyEntry && !anyUp)
        {
            _noneUpSince ??= now;
        }
        else if (anyUp)
        {
            _noneUpSince = null;
        }

        // Brokers missing from the metadata for longer than BrokerRemovedAfter have left the cluster.
        foreach ((int id, (string _, long lastSeen)) in _knownBrokers.ToArray())
        {
            if (_time.GetElapsedTime(lastSeen, now) > _health.BrokerRemovedAfter)
            {
                _knownBrokers.Remove(id);
            }
        }
    }

    /// <summary>Brokers this producer lost: disconnected and not back, or gone from the metadata (not yet deemed removed).</summary>
    private List<string> DownBrokersUnsynchronized()
    {
        var present = new Dictionary<int, (bool Up, bool Down)>();
        foreach (LibrdkafkaStatistics? client in _parsed)
        {
            if (client is null)
            {
                continue;
            }

            foreach (BrokerStatistics broker in client.Brokers)
            {
                if (broker.NodeId < 0)
                {
                    continue;
                }

                (bool wasUp, bool wasDown) = present.GetValueOrDefault(broker.NodeId);
                present[broker.NodeId] = (wasUp || broker.IsUp, wasDown || broker.IsDown);
            }
        }

        var down = new List<string>();
        foreach ((int id, (string address, long _)) in _knownBrokers.OrderBy(b => b.Key))
        {
            if (!present.TryGetValue(id, out (bool Up, bool Down) seen))
            {
                down.Add($"{id} ({address}, gone from metadata)");
            }
            else if (seen.Down && !seen.Up)
            {
                down.Add($"{id} ({address})");
            }
        }

        return down;
    }

    /// <summary>The first few names of a list, and how many more (a health description stays one readable line).</summary>
    private static string NamesOf<T>(IReadOnlyList<T> items, Func<T, string> name)
    {
        const int Shown = 5;
        string shown = string.Join(", ", items.Take(Shown).Select(name));
        return items.Count > Shown ? $"{shown} and {items.Count - Shown} more" : shown;
    }

    private HealthCheckResult AssessUnsynchronized()
    {
        ProducerStatistics s = _statistics;
        long now = _time.GetTimestamp();
        var data = new Dictionary<string, object>
        {
            ["accepted"] = s.Accepted,
            ["delivered"] = s.Delivered,
            ["failed"] = s.Failed,
            ["in_flight"] = s.InFlight,
            ["rejected"] = s.RejectedTotal,
            ["budget_bytes_in_use"] = s.BudgetBytesInUse,
            ["budget_bytes"] = s.BudgetBytes,
        };

        if (s.IsFatal)
        {
            return HealthCheckResult.Unhealthy($"Producer '{Name}' stopped after a fatal error: {s.FatalReason}", data: data);
        }

        var reasons = new List<string>();
        if (_noneUpSince is long since)
        {
            TimeSpan unreachable = _time.GetElapsedTime(since, now);
            data["unreachable_seconds"] = unreachable.TotalSeconds;
            if (unreachable >= _health.UnhealthyAfter)
            {
                return HealthCheckResult.Unhealthy($"Producer '{Name}': no broker reachable for {unreachable.TotalSeconds:F1} s (limit {_health.UnhealthyAfter.TotalSeconds:F1} s).", data: data);
            }

            reasons.Add($"no broker reachable for {unreachable.TotalSeconds:F1} s");
        }

        List<string> down = DownBrokersUnsynchronized();
        data["brokers_known"] = _knownBrokers.Count;
        data["brokers_down"] = down.Count;
        if (down.Count > 0)
        {
            reasons.Add($"broker(s) down: {string.Join(", ", down)}");
        }

        double ratio = s.BudgetBytes == 0 ? 0 : (double)s.BudgetBytesInUse / s.BudgetBytes;
        if (ratio >= _health.DegradedBudgetRatio)
        {
            reasons.Add($"memory budget {ratio:P0} in use (threshold {_health.DegradedBudgetRatio:P0})");
        }

        data["pending_topics"] = s.PendingTopics.Count;
        if (s.PendingTopics.Count > 0)
        {
            // Accepted messages wait in the producer (within the budget) until the cluster answers, or time out.
            reasons.Add($"topic(s) waiting for the cluster's metadata: {NamesOf(s.PendingTopics, t => t)}");
        }

        data["stalled_partitions"] = s.StalledPartitions.Count;
        if (s.StalledPartitions.Count > 0)
        {
            reasons.Add($"partition(s) with no progress: {NamesOf(s.StalledPartitions, p => $"{p.Topic}[{p.Partition}] ({p.MessagesWaiting} waiting, {p.MessagesInFlight} in flight, {p.SinceLastProgress.TotalSeconds:F0} s)")}");
        }

        if (_lastFailureAt is long failedAt && _health.FailureWindow > TimeSpan.Zero && _time.GetElapsedTime(failedAt, now) < _health.FailureWindow)
        {
            reasons.Add($"delivery failures in the last {_health.FailureWindow.TotalSeconds:F0} s ({s.Failed} failed in all)");
        }

        return reasons.Count == 0
            ? HealthCheckResult.Healthy($"Producer '{Name}': {s}", data)
            : HealthCheckResult.Degraded($"Producer '{Name}': {string.Join("; ", reasons)}.", data: data);
    }
}

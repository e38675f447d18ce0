using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using KafkaFast.AspNetCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace KafkaFast.AspNetCore.Tests.Support;

/// <summary>Listens to the KafkaFast meter of one application only (its IMeterFactory is the meter's scope).</summary>
internal sealed class MetricsCapture : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<Measurement> _measurements = new();

    internal sealed record Measurement(string Instrument, double Value, IReadOnlyDictionary<string, object?> Tags);

    public MetricsCapture(IServiceProvider services)
    {
        object scope = services.GetRequiredService<IMeterFactory>();
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == KafkaFastTelemetry.MeterName && ReferenceEquals(instrument.Meter.Scope, scope))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Add(i, v, tags));
        _listener.SetMeasurementEventCallback<int>((i, v, tags, _) => Add(i, v, tags));
        _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Add(i, v, tags));
        _listener.Start();
    }

    public IReadOnlyList<Measurement> All => [.. _measurements];

    public IEnumerable<Measurement> Of(string instrument) => _measurements.Where(m => m.Instrument == instrument);

    /// <summary>Collects the observable instruments once and returns what they reported.</summary>
    public List<Measurement> Observe(string instrument)
    {
        _measurements.Clear();
        _listener.RecordObservableInstruments();
        return Of(instrument).ToList();
    }

    public void Dispose() => _listener.Dispose();

    private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var copy = new Dictionary<string, object?>();
        foreach (KeyValuePair<string, object?> tag in tags)
        {
            copy[tag.Key] = tag.Value;
        }

        _measurements.Enqueue(new Measurement(instrument.Name, value, copy));
    }
}

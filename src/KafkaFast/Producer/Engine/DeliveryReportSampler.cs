using KafkaFast.Buffers;
using KafkaFast.Native;
using Microsoft.Extensions.Logging;

namespace KafkaFast.Producer.Engine;

/// <summary>
/// Hands every Nth delivery report of one client (<see cref="KafkaProducerOptions.DeliveryReportSampleInterval"/>) to
/// <see cref="KafkaProducerOptions.DeliveryReportSampled"/>, on the worker thread, which already holds the report:
/// nothing is added to the produce path. An observer that throws is logged (once) and never stops the worker.
/// </summary>
/// <remarks>Used by the worker thread only (one sampler per client).</remarks>
internal sealed unsafe partial class DeliveryReportSampler
{
    private readonly ProducerEngine _engine;
    private readonly Action<DeliveryReportSample> _observer;
    private readonly int _interval;
    private int _countdown;
    private bool _failureLogged;

    private DeliveryReportSampler(ProducerEngine engine, Action<DeliveryReportSample> observer, int interval)
    {
        _engine = engine;
        _observer = observer;
        _interval = interval;
        _countdown = interval;
    }

    /// <summary>A sampler for one client, or null when no observer is set (the worker then checks one field per report).</summary>
    internal static DeliveryReportSampler? For(ProducerEngine engine) =>
        engine.Options.DeliveryReportSampled is { } observer ? new DeliveryReportSampler(engine, observer, engine.Options.DeliveryReportSampleInterval) : null;

    /// <summary>Counts one report; true for every Nth.</summary>
    internal bool Due()
    {
        if (--_countdown > 0)
        {
            return false;
        }

        _countdown = _interval;
        return true;
    }

    /// <summary>Reads the report (before its record is released) and hands it to the observer.</summary>
    internal void Sample(RdKafkaMessage* message, MessageRecord* record)
    {
        long micros = LibRdKafka.MessageLatency(message);
        var sample = new DeliveryReportSample(_engine.TopicAt(record->TopicIndex).Name, message->Partition, (KafkaErrorCode)message->Err,
            micros >= 0 ? TimeSpan.FromMicroseconds(micros) : TimeSpan.Zero);
        try
        {
            _observer(sample);
        }
        catch (Exception ex)
        {
            if (!_failureLogged)
            {
                _failureLogged = true;
                ObserverFailed(_engine.Logger, ex);
            }
        }
    }

    [LoggerMessage(20, LogLevel.Error, "The DeliveryReportSampled observer threw; its samples are skipped, delivery goes on (logged once per client).")]
    private static partial void ObserverFailed(ILogger logger, Exception exception);
}

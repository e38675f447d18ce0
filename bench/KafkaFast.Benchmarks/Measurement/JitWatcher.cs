using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace KafkaFast.Benchmarks.Measurement;

/// <summary>
/// Diagnostic (BENCH_TRACE_JIT=1): lists the methods the JIT compiled during a measured interval, to tell
/// whether the warm-up was long enough. Off by default: an event listener costs CPU of its own.
/// </summary>
internal sealed class JitWatcher : EventListener
{
    private const EventKeywords JitKeyword = (EventKeywords)0x10;
    private readonly ConcurrentQueue<string> _methods = new();
    private volatile bool _recording;

    internal static bool Enabled { get; } = Environment.GetEnvironmentVariable("BENCH_TRACE_JIT") == "1";

    internal static JitWatcher? Instance { get; } = Enabled ? new JitWatcher() : null;

    internal void Begin()
    {
        _methods.Clear();
        _recording = true;
    }

    internal IReadOnlyList<string> End()
    {
        _recording = false;
        return [.. _methods];
    }

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(eventSource, EventLevel.Verbose, JitKeyword);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        if (!_recording || e.EventName is not "MethodLoadVerbose_V1" and not "MethodLoadVerbose_V2" || e.Payload is null)
        {
            return;
        }

        int ns = e.PayloadNames!.IndexOf("MethodNamespace");
        int name = e.PayloadNames.IndexOf("MethodName");
        int flags = e.PayloadNames.IndexOf("MethodFlags");
        _methods.Enqueue($"{e.Payload[ns]}::{e.Payload[name]} (flags 0x{Convert.ToInt64(e.Payload[flags], System.Globalization.CultureInfo.InvariantCulture):x})");
    }
}

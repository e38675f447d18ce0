using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace KafkaFast.Benchmarks.Measurement;

/// <summary>
/// Diagnostics, off by default (an event listener costs CPU of its own): BENCH_TRACE_JIT=1 lists the methods the
/// JIT compiled during a measured interval (was the warm-up long enough?); BENCH_TRACE_ALLOC=1 lists the types
/// behind the runtime's allocation samples (one per ~100 KB allocated) in it.
/// </summary>
internal sealed class JitWatcher : EventListener
{
    private const EventKeywords JitKeyword = (EventKeywords)0x10;
    private const EventKeywords GcKeyword = (EventKeywords)0x1;
    private static readonly bool TraceJit = Environment.GetEnvironmentVariable("BENCH_TRACE_JIT") == "1";
    private static readonly bool TraceAlloc = Environment.GetEnvironmentVariable("BENCH_TRACE_ALLOC") == "1";
    private readonly ConcurrentQueue<string> _methods = new();
    private volatile bool _recording;

    internal static bool Enabled { get; } = TraceJit || TraceAlloc;

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
            EnableEvents(eventSource, EventLevel.Verbose, (TraceJit ? JitKeyword : 0) | (TraceAlloc ? GcKeyword : 0));
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        if (!_recording || e.Payload is null)
        {
            return;
        }

        if (e.EventName is not null && e.EventName.StartsWith("GCAllocationTick", StringComparison.Ordinal))
        {
            int type = e.PayloadNames!.IndexOf("TypeName");
            _methods.Enqueue($"allocation sample: {(type >= 0 ? e.Payload[type] : "?")} on thread {Environment.CurrentManagedThreadId} ({Thread.CurrentThread.Name})");
            return;
        }

        if (e.EventName is not "MethodLoadVerbose_V1" and not "MethodLoadVerbose_V2")
        {
            return;
        }

        int ns = e.PayloadNames!.IndexOf("MethodNamespace");
        int name = e.PayloadNames.IndexOf("MethodName");
        int flags = e.PayloadNames.IndexOf("MethodFlags");
        _methods.Enqueue($"{e.Payload[ns]}::{e.Payload[name]} (flags 0x{Convert.ToInt64(e.Payload[flags], System.Globalization.CultureInfo.InvariantCulture):x})");
    }
}

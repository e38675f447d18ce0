using KafkaFast.Measurement;

namespace KafkaFast.Benchmarks.Matrix;

/// <summary>One client's run in one cell: what its process reported, its delivery latency, and the read-back check.</summary>
internal sealed record MatrixRun
{
    internal required MatrixCell Cell { get; init; }
    internal required MatrixRow Row { get; init; }
    internal required MatrixRunSpec Spec { get; init; }
    internal required int Repeat { get; init; }
    internal MatrixRunResult? Result { get; init; }
    internal LatencySummary Latency { get; init; } = LatencySummary.Empty;
    internal ReadBackResult? Check { get; init; }

    /// <summary>Empty when the run is good: complete, nothing failed, the right librdkafka, the read-back check passed.</summary>
    internal string Error { get; init; } = "";

    internal bool Ok => Error.Length == 0;

    /// <summary>CPU of the whole producer process per measured message, microseconds.</summary>
    internal double CpuUsPerMessage => Result is { Measured: > 0 } r ? r.CpuNs / 1e3 / r.Measured : double.NaN;

    /// <summary>Measured messages over the wall time from the first call to the last delivery report.</summary>
    internal double MessagesPerSecond => Result is { WallNs: > 0 } r ? r.Measured / (r.WallNs / 1e9) : double.NaN;
}

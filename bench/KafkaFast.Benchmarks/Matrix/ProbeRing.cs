namespace KafkaFast.Benchmarks.Matrix;

/// <summary>A timed message in flight: when it was handed to the client, until its delivery report comes back.</summary>
internal abstract class Probe
{
    private int _busy;

    /// <summary><see cref="System.Diagnostics.Stopwatch"/> timestamp of the produce call that was accepted.</summary>
    internal long Enqueued;

    internal bool TryTake() => Interlocked.CompareExchange(ref _busy, 1, 0) == 0;

    internal bool Busy => Volatile.Read(ref _busy) != 0;

    internal void Release() => Volatile.Write(ref _busy, 0);
}

/// <summary>
/// Pre-allocated probes, taken round-robin by the producing thread and released by the delivery report, so timing
/// every K-th message allocates nothing. A probe whose previous message is still in flight is skipped (counted).
/// </summary>
internal sealed class ProbeRing<T>
    where T : Probe
{
    private const int Size = 16_384; // > the messages in flight / K of any client: a skip is rare and counted
    private readonly T[] _probes;
    private int _next;

    internal ProbeRing(Func<T> create) => _probes = Enumerable.Range(0, Size).Select(_ => create()).ToArray();

    internal long Skipped { get; private set; }

    /// <summary>The next free probe (producing thread only), or null (skipped) when it is still in flight.</summary>
    internal T? Take()
    {
        T probe = _probes[_next++ & (Size - 1)];
        if (probe.TryTake())
        {
            return probe;
        }

        Skipped++;
        return null;
    }

    /// <summary>Waits until every probe's report has been handled (they run on other threads), up to <paramref name="timeout"/>.</summary>
    internal bool WaitIdle(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (_probes.Any(p => p.Busy))
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }

            Thread.Sleep(1);
        }

        return true;
    }
}

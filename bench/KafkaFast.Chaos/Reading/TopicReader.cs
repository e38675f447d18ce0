namespace KafkaFast.Chaos.Reading;

/// <summary>
/// A reader of the whole topic on its own thread, from the beginning of every partition, verifying each message
/// into its <see cref="ReadLedger"/>. It reads while the producers write (the embedded brokers keep only ~5 MiB per
/// partition) until told to stop.
/// </summary>
internal abstract class TopicReader(string name, ReadLedger ledger)
{
    private Thread? _thread;
    private volatile bool _stopping;

    internal string Name { get; } = name;

    internal ReadLedger Ledger { get; } = ledger;

    /// <summary>Client errors the reader was told about (brokers down and so on: expected under faults).</summary>
    internal long ClientErrors;

    /// <summary>The exception that ended the reader early, if any.</summary>
    internal Exception? Failure { get; private set; }

    protected bool Stopping => _stopping;

    internal void Start()
    {
        _thread = new Thread(() =>
        {
            try
            {
                Run();
            }
            catch (Exception e)
            {
                Failure = e;
            }
        })
        { Name = $"chaos reader {Name}", IsBackground = true };
        _thread.Start();
    }

    /// <summary>True when every partition's next offset reached <paramref name="endOffsets"/>.</summary>
    internal bool HasReached(IReadOnlyList<long> endOffsets)
    {
        for (int p = 0; p < endOffsets.Count; p++)
        {
            if (endOffsets[p] > 0 && Ledger.NextOffset(p) < endOffsets[p])
            {
                return false;
            }
        }

        return true;
    }

    internal void Stop(TimeSpan timeout)
    {
        _stopping = true;
        if (_thread is not null && !_thread.Join(timeout))
        {
            Failure ??= new TimeoutException($"reader {Name} did not stop within {timeout.TotalSeconds:0} s");
        }
    }

    protected abstract void Run();
}

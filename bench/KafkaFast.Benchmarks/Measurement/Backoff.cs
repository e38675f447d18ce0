namespace KafkaFast.Benchmarks.Measurement;

/// <summary>
/// What a caller at full load does when the producer refuses a message (KafkaFast: budget full; Confluent: queue
/// full): spin briefly, then yield, then sleep 1 ms now and then (SpinWait's policy), and try again. The same
/// policy for every library; each refusal is counted as a retry.
/// </summary>
internal struct Backoff
{
    private SpinWait _spin;

    internal long Retries;

    internal void Wait()
    {
        Retries++;
        _spin.SpinOnce();
    }

    /// <summary>Call after a success: the next refusal starts with a short spin again.</summary>
    internal void Reset() => _spin.Reset();
}

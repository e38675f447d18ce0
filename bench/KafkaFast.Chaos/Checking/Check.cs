namespace KafkaFast.Chaos.Checking;

/// <summary>
/// One promise checked at the end of a run: a short id (for --known-failure), what it says, whether it held, the
/// numbers behind it, and whether it was declared a known failure (reported, not counted against the run).
/// </summary>
internal sealed record Check(string Id, string Promise, bool Held, string Detail)
{
    public bool Known { get; init; }

    /// <summary>Fails the run: did not hold and was not declared known.</summary>
    public bool Fails => !Held && !Known;
}

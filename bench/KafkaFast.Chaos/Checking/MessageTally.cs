namespace KafkaFast.Chaos.Checking;

/// <summary>Every accepted message's fate as one reader saw it.</summary>
internal sealed record MessageTally
{
    public string Reader { get; init; } = "";

    /// <summary>Accepted, not reported failed, read (once, or more: see <see cref="Duplicated"/>).</summary>
    public long Delivered { get; init; }

    /// <summary>Accepted, not reported failed, never read: lost.</summary>
    public long Lost { get; init; }

    /// <summary>Read more than once (counted once per message).</summary>
    public long Duplicated { get; init; }

    /// <summary>Of those, second copies no retry of a whole request explains (another partition, an earlier offset).</summary>
    public long UnexplainedDuplicates { get; init; }

    /// <summary>Runs of consecutive offsets the embedded cluster appended twice.</summary>
    public long ReappendedRuns { get; init; }

    /// <summary>Reported failed and not in the log.</summary>
    public long FailedAbsent { get; init; }

    /// <summary>Reported failed as possibly persisted, and found in the log once (allowed).</summary>
    public long FailedButPersisted { get; init; }

    /// <summary>Reported failed as NOT persisted, yet found in the log.</summary>
    public long FailedNotPersistedButPresent { get; init; }

    /// <summary>Read although the producer never accepted it (a refused call's message, or a sequence past the end).</summary>
    public long NeverAccepted { get; init; }

    public List<string> Examples { get; init; } = [];

    /// <summary>Lost messages per producing call (Single, Batch, Async, Text, ConfluentPeer).</summary>
    public Dictionary<string, long> LostByKind { get; init; } = [];
}

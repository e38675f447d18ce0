namespace KafkaFast.AspNetCore.RequestEvents;

/// <summary>When the request-event middleware writes an event.</summary>
[Flags]
public enum RequestEventPhases
{
    /// <summary>When the request arrives (method, path, client...; no status yet).</summary>
    Start = 1,

    /// <summary>When the rest of the pipeline has finished (adds status, duration, response size, error).</summary>
    End = 2,

    /// <summary>Both; the two events share "id" and "trace_id" so they can be joined.</summary>
    Both = Start | End,
}

/// <summary>The event being written (passed to hooks).</summary>
public enum RequestEventPhase
{
    /// <summary>The request-start event.</summary>
    Start,

    /// <summary>The request-completion event.</summary>
    End,
}

/// <summary>Built-in message keys for request events (a <see cref="KafkaRequestEventOptions.KeySelector"/> overrides it).</summary>
public enum RequestEventKey
{
    /// <summary>No key: events are spread over partitions.</summary>
    None,

    /// <summary>The client's IP address (after forwarded-headers processing): one client's events stay in order on one partition.</summary>
    ClientAddress,

    /// <summary>The authenticated user's name (no key when anonymous).</summary>
    User,

    /// <summary>The W3C trace id: every event of a trace on one partition.</summary>
    TraceId,
}

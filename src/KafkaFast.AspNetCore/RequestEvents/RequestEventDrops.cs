using System.Diagnostics;
using KafkaFast.AspNetCore.Diagnostics;
using Microsoft.Extensions.Logging;

namespace KafkaFast.AspNetCore.RequestEvents;

/// <summary>Why an event was not written (the <c>kafkafast.reason</c> tag of <c>kafkafast.request_events.dropped</c>).</summary>
internal enum DropReason
{
    BudgetFull,
    Closed,
    Fatal,
    TooLarge,
    TopicUnavailable,
    Error,
}

/// <summary>
/// Counts every dropped event (kafkafast.request_events.dropped, by reason: drops are rare and must never go unseen)
/// and logs each reason at most every 10 s, with how many were dropped since.
/// </summary>
internal sealed class RequestEventDrops(KafkaFastMetrics metrics, ILogger logger)
{
    private static readonly TimeSpan s_logInterval = TimeSpan.FromSeconds(10);

    private readonly Counter[] _counters = Enum.GetValues<DropReason>().Select(r => new Counter(NameOf(r))).ToArray();

    public void Drop(DropReason reason, string topic)
    {
        metrics.EventDropped(topic, NameOf(reason));
        Counter counter = _counters[(int)reason];
        Interlocked.Increment(ref counter.SinceLog);
        long now = Stopwatch.GetTimestamp();
        long last = Volatile.Read(ref counter.LoggedAt);
        if ((last == 0 || Stopwatch.GetElapsedTime(last, now) >= s_logInterval) && Interlocked.CompareExchange(ref counter.LoggedAt, now, last) == last)
        {
            long count = Interlocked.Exchange(ref counter.SinceLog, 0);
            RequestEventsLog.Dropped(logger, count, counter.Name, last == 0 ? 0 : Stopwatch.GetElapsedTime(last, now).TotalSeconds, topic);
        }
    }

    public static string NameOf(DropReason reason) => reason switch
    {
        DropReason.BudgetFull => "budget_full",
        DropReason.Closed => "closed",
        DropReason.Fatal => "fatal",
        DropReason.TooLarge => "too_large",
        DropReason.TopicUnavailable => "topic_unavailable",
        _ => "error",
    };

    private sealed class Counter(string name)
    {
        public readonly string Name = name;
        public long SinceLog;
        public long LoggedAt;
    }
}

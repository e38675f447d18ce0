namespace KafkaFast.Chaos.Checking;

/// <summary>The promises a chaos run checks (docs/RELIABILITY.md lists them); the run passes only if all hold.</summary>
internal static class Verdict
{
    private const long RssSlackBytes = 32L * 1024 * 1024;

    internal static List<Check> Evaluate(ChaosResults r, IReadOnlyCollection<string> knownFailures)
    {
        var checks = new List<Check>();
        void Add(string id, string promise, bool held, string detail) => checks.Add(new Check(id, promise, held, detail) { Known = knownFailures.Contains(id) });

        Producing.ProducerSummary? p = r.Producer;
        Add("producer-finished", "the producer process finished and wrote its summary", p is not null && r.ProducerExitCode == 0,
            p is null ? "no summary (it hung or crashed; see producer-stderr.txt)" : $"exit code {r.ProducerExitCode}");
        if (p is null)
        {
            return checks;
        }

        List<Producing.StreamSummary> ours = p.Streams.Where(s => r.Settings.IsKafkaFastStream(s.Index)).ToList();
        long accepted = ours.Sum(s => s.Accepted);
        long refused = ours.Sum(s => s.RefusedCalls);
        string? streamFailure = p.Streams.FirstOrDefault(s => s.Failure is not null)?.Failure;
        Add("no-throw", "no produce call threw (the request path returns true/false, never throws, under faults)", streamFailure is null,
            streamFailure is null ? $"{p.Streams.Count} streams" : FirstLine(streamFailure));

        foreach (TopicReaderOutcome reader in r.Readers.Select(x => new TopicReaderOutcome(x.Name, x.Failure)))
        {
            Add("reader-end", $"reader {reader.Name} ran to the end", reader.Failure is null && r.ReadersReachedEnd,
                reader.Failure is not null ? FirstLine(reader.Failure.ToString()) : r.ReadersReachedEnd ? "read up to the end offsets" : "did not reach the end offsets in time");
        }

        bool connectionsDropped = r.Faults[Faults.FaultKind.BrokerDown] + r.Faults[Faults.FaultKind.AllBrokersDownLong] > 0;
        foreach (MessageTally t in r.Tallies)
        {
            // A request librdkafka retried after a dropped connection may be appended twice by the embedded cluster
            // (its brokers skip the idempotence check outside transactions); any other second copy fails the run.
            bool duplicatesExplained = t.Duplicated == 0 || (t.UnexplainedDuplicates == 0 && connectionsDropped);
            Add("exactly-once", $"{t.Reader}: every accepted message delivered exactly once or failed with a reason (lost = 0, duplicated = 0)",
                t.Lost == 0 && duplicatesExplained && t.NeverAccepted == 0 && t.FailedNotPersistedButPresent == 0,
                $"delivered {t.Delivered:N0}, failed {t.FailedAbsent + t.FailedButPersisted:N0} (of which in the log as possibly persisted: {t.FailedButPersisted:N0}), " +
                $"lost {t.Lost:N0}{(t.Lost > 0 ? $" ({string.Join(", ", t.LostByKind.Select(kv => $"{kv.Key} {kv.Value:N0}"))})" : "")}, duplicated {t.Duplicated:N0} (whole requests the embedded cluster appended twice after a dropped connection: {t.ReappendedRuns:N0} runs; " +
                $"other copies {t.UnexplainedDuplicates:N0}), never accepted but read {t.NeverAccepted:N0}, failed as not persisted but read {t.FailedNotPersistedButPresent:N0}" + Examples(t.Examples));
        }

        foreach (Reading.TopicReader reader in r.Readers)
        {
            Reading.ReadLedger l = reader.Ledger;
            Add("identical-ordered", $"{l.Name}: byte-identical (key, value, headers, partition) and in order per partition", l.Damaged == 0 && l.OrderViolations == 0,
                $"read {l.Read:N0}, damaged {l.Damaged:N0}, out of order {l.OrderViolations:N0}" + Examples(l.Examples));
            Add("not-dropped", $"{l.Name}: nothing was dropped by the brokers before it was read (else the run cannot vouch for it)", l.Skipped == 0,
                $"offsets skipped {l.Skipped:N0}, reader rewinds {l.Rewinds:N0}");
        }

        long failedReports = r.Failures.Keys.Count(k => r.Settings.IsKafkaFastStream(Messages.MessageId.Unpack(k).Stream));
        Add("counters", "counters agree with what was read: accepted = sum of streams, delivered = read, delivered + failed = accepted, nothing in flight",
            p.StatsAccepted == accepted && p.StatsDelivered + p.StatsFailed == p.StatsAccepted && p.StatsInFlight == 0 && p.FlushLeft == 0
            && r.KafkaFastTallies.All(t => p.StatsDelivered == t.Delivered),
            $"statistics: accepted {p.StatsAccepted:N0} (streams {accepted:N0}), delivered {p.StatsDelivered:N0}, failed {p.StatsFailed:N0}, in flight {p.StatsInFlight:N0}; " +
            $"flush left {p.FlushLeft:N0}; delivered as read: {string.Join(", ", r.KafkaFastTallies.Select(t => $"{t.Reader} {t.Delivered:N0}"))}");
        Add("failures-reported", "every failure was reported with a reason and the message's bytes, none dropped",
            p.StatsFailed == failedReports && p.StatsFailuresDropped == 0 && p.FailuresWithoutReason == 0 && p.FailuresUnidentified == 0 && p.FailuresChannelCompleted,
            $"failed {p.StatsFailed:N0}, reports {failedReports:N0} (recorded {p.FailuresRecorded:N0}), dropped {p.StatsFailuresDropped:N0}, " +
            $"without reason {p.FailuresWithoutReason:N0}, copies not matching the message {p.FailuresUnidentified:N0}, channel completed after close: {p.FailuresChannelCompleted}" + Examples(p.Examples));
        Add("refusals-counted", "refused calls are counted: the producer's Rejected equals the calls the streams saw refused", p.StatsRejected.Values.Sum() == refused,
            $"streams refused {refused:N0} calls; statistics: {string.Join(", ", p.StatsRejected.Select(kv => $"{kv.Key} {kv.Value:N0}"))}");
        Add("awaited-outcomes", "awaited calls: every one completed, at the partition and offset the readers found, or failed as reported on Failures",
            r.AsyncOutcomes == p.Streams.Where(s => s.Kind == "Async").Sum(s => s.Accepted) && r.AsyncPlacementMismatches == 0 && r.AsyncFailuresNotReported == 0,
            $"outcomes {r.AsyncOutcomes:N0} (delivered {p.AsyncDelivered:N0}, failed {p.AsyncFailed:N0}), placement mismatches {r.AsyncPlacementMismatches:N0}, failures not on Failures {r.AsyncFailuresNotReported:N0}" + Examples(r.AsyncExamples));
        Add("not-fatal", "the producer never went fatal", !p.StatsIsFatal, p.StatsIsFatal ? $"fatal: {p.StatsFatalReason}" : "healthy");
        Add("budget-returned", "the budget came back: after the flush at most one partly filled slab per client is in use",
            p.StatsBudgetBytesInUseAfterFlush <= (long)p.SlabSize * r.Settings.MaxClients,
            $"{p.StatsBudgetBytesInUseAfterFlush:N0} bytes in use after the flush (slab {p.SlabSize:N0} bytes, {r.Settings.MaxClients} clients), {p.StatsBudgetBytesInUseAfterClose:N0} after close");

        long growth = p.MaxResidentBytes - p.BaselineResidentBytes;
        Add("rss-bound", "RSS stayed within budget + 32 MiB the whole time (sampled every 100 ms)", growth <= p.BudgetBytes + RssSlackBytes,
            $"baseline {Mib(p.BaselineResidentBytes)}, min {Mib(p.MinResidentBytes)}, max {Mib(p.MaxResidentBytes)}: grew {Mib(growth)} (bound {Mib(p.BudgetBytes + RssSlackBytes)}), {p.ResourceSamples:N0} samples");
        Add("thread-bound", "Kafka threads stayed within their bound (MaxClients x (3 + 2 x brokers))", p.MaxKafkaThreads <= p.KafkaThreadBound,
            $"Kafka threads {p.MinKafkaThreads}..{p.MaxKafkaThreads} (bound {p.KafkaThreadBound}); process threads {p.MinThreads}..{p.MaxThreads} (baseline {p.BaselineThreads})");
        Add("no-stderr", "the library wrote nothing to stderr on its own", r.ProducerStderrLines == 0, $"{r.ProducerStderrLines:N0} lines (producer-stderr.txt)");

        Group.GroupLedger g = r.Group.Ledger;
        string? memberFailure = g.Members.FirstOrDefault(m => m.Failure is not null)?.Failure?.ToString();
        Add("group-complete", "consumer group: every message processed at least once while members joined and left", r.GroupMissing == 0 && r.GroupReachedEnd,
            $"processed {g.Processed:N0}, never processed {r.GroupMissing:N0}{(r.GroupReachedEnd ? "" : " (did not reach the end in time)")}" + Examples(r.GroupMissingExamples));
        Add("group-not-dropped", "consumer group: nothing was dropped by the brokers before the group read it (else the run cannot vouch for it)", g.Dropped == 0,
            $"offsets dropped before the group got to them {g.Dropped:N0}");
        Add("group-rereads", "consumer group: re-reads only of what a member could not commit (docs/CONSUMER.md); Close after the documented loop re-delivers nothing",
            g.UnexplainedRereads == 0,
            $"re-read after a commit failure or lost partitions {g.ExplainedRereads:N0}, re-read after a clean hand-over {g.UnexplainedRereads:N0}" + Examples(g.Examples));
        Add("group-close", "consumer group: every member closed cleanly", memberFailure is null && r.GroupMembersNotStopped.Count == 0,
            memberFailure is not null ? FirstLine(memberFailure) : r.GroupMembersNotStopped.Count > 0 ? $"not stopped: {string.Join(", ", r.GroupMembersNotStopped)}" : $"{g.Members.Count} members");
        return checks;
    }

    internal static string Mib(long bytes) => $"{bytes / (1024.0 * 1024):0.0} MiB";

    private static string FirstLine(string text) => text.Split('\n')[0].Trim();

    private static string Examples(List<string> examples) => examples.Count == 0 ? "" : "; e.g. " + string.Join("; ", examples.Take(3));

    private sealed record TopicReaderOutcome(string Name, Exception? Failure);
}

using System.Text;
using KafkaFast.Chaos.Faults;

namespace KafkaFast.Chaos.Checking;

/// <summary>The summary tables of a run (Markdown: printed, and written to the run's directory as report.md).</summary>
internal static class ChaosReport
{
    internal static string Markdown(ChaosResults r, IReadOnlyList<Check> checks)
    {
        var s = new StringBuilder();
        ChaosSettings o = r.Settings;
        Producing.ProducerSummary? p = r.Producer;
        s.AppendLine($"### Chaos run: seed {o.Seed}, {o.Seconds} s, {(checks.Any(c => c.Fails) ? "FAILED" : "PASSED")}");
        s.AppendLine();
        s.AppendLine($"`{r.Command}` — {o.Streams} streams (single, batch, awaitable, text), {o.Rate:N0} msgs/s offered, MaxClients {o.MaxClients}, " +
                     $"budget {o.BudgetMiB} MiB, message timeout {o.MessageTimeoutSeconds} s, max in flight {o.MaxInFlight},{(o.ConfluentPeer ? " a Confluent.Kafka peer stream," : "")} {o.Partitions} partitions on {o.Brokers} brokers (separate process), " +
                     $"group of 1..{o.MaxGroupMembers}; took {r.Elapsed.TotalMinutes:0.0} min; load average {LoadAverage()}.");
        s.AppendLine();
        s.AppendLine("| fault injected | times |");
        s.AppendLine("| --- | --: |");
        foreach ((FaultKind kind, int count) in r.Faults)
        {
            s.AppendLine($"| {kind} | {count} |");
        }

        s.AppendLine();
        if (p is not null)
        {
            long accepted = p.Streams.Sum(x => x.Accepted);
            s.AppendLine("| messages | count |");
            s.AppendLine("| --- | --: |");
            s.AppendLine($"| accepted | {accepted:N0} |");
            s.AppendLine($"| delivered (broker acknowledged) | {p.StatsDelivered:N0} |");
            s.AppendLine($"| failed with a reason | {p.StatsFailed:N0} ({string.Join(", ", p.StatsFailedByError.OrderByDescending(kv => kv.Value).Select(kv => $"{kv.Key} {kv.Value:N0}"))}) |");
            foreach (MessageTally t in r.Tallies)
            {
                s.AppendLine($"| read back by {t.Reader} | {t.Delivered:N0} (+ {t.FailedButPersisted:N0} failed as possibly persisted) |");
                s.AppendLine($"| **lost** ({t.Reader}) | **{t.Lost:N0}** |");
                s.AppendLine($"| **duplicated** ({t.Reader}) | **{t.UnexplainedDuplicates:N0}** (+ {t.Duplicated - t.UnexplainedDuplicates:N0} in {t.ReappendedRuns:N0} requests the embedded cluster appended twice after a dropped connection) |");
            }

            s.AppendLine($"| refused at the call (budget full), not accepted | {p.Streams.Sum(x => x.RefusedCalls):N0} calls |");
            s.AppendLine();
            s.AppendLine("| stream | call | accepted | refused calls | lost (per reader) |");
            s.AppendLine("| --: | --- | --: | --: | --: |");
            foreach (Producing.StreamSummary stream in p.Streams)
            {
                string lost = string.Join(" / ", r.Tallies.Select(t => t.LostByKind.GetValueOrDefault(stream.Kind).ToString("N0", System.Globalization.CultureInfo.InvariantCulture)));
                s.AppendLine($"| {stream.Index} | {stream.Kind} | {stream.Accepted:N0} | {stream.RefusedCalls:N0} | {lost} (by call) |");
            }
            s.AppendLine();
            long growth = p.MaxResidentBytes - p.BaselineResidentBytes;
            s.AppendLine("| producer process | value |");
            s.AppendLine("| --- | --: |");
            s.AppendLine($"| RSS before the producer / once started (baseline) | {Verdict.Mib(p.ResidentBytesBeforeProducer)} / {Verdict.Mib(p.BaselineResidentBytes)} |");
            s.AppendLine($"| RSS min / max while producing and draining | {Verdict.Mib(p.MinResidentBytes)} / {Verdict.Mib(p.MaxResidentBytes)} |");
            s.AppendLine($"| RSS growth (bound: budget + 32 MiB) | {Verdict.Mib(growth)} ({Verdict.Mib(p.BudgetBytes + (32L << 20))}) |");
            s.AppendLine($"| threads min / max (baseline) | {p.MinThreads} / {p.MaxThreads} ({p.BaselineThreads}) |");
            s.AppendLine($"| Kafka threads min / max (bound) | {p.MinKafkaThreads} / {p.MaxKafkaThreads} ({p.KafkaThreadBound}) |");
            s.AppendLine($"| produce calls timed | {p.LatencySamples:N0} |");
            s.AppendLine($"| call latency p50 / p99 / p99.9 / max | {Us(p.LatencyP50Ns)} / {Us(p.LatencyP99Ns)} / {Us(p.LatencyP999Ns)} / {Us(p.LatencyMaxNs)} |");
            s.AppendLine($"| drain after the last call (flush + close) | {p.DrainSeconds:0.0} s |");
            s.AppendLine();
        }

        AppendGroup(s, r.Group, r.GroupMissing);
        if (r.PeerGroup is not null)
        {
            AppendGroup(s, r.PeerGroup, r.PeerGroupMissing);
        }

        s.AppendLine("| check | held | detail |");
        s.AppendLine("| --- | --- | --- |");
        foreach (Check c in checks)
        {
            string held = c.Held ? (c.Known ? "yes (declared known: remove --known-failure " + c.Id + ")" : "yes") : c.Known ? "no, KNOWN (" + c.Id + ")" : "**NO** (" + c.Id + ")";
            s.AppendLine($"| {c.Promise} | {held} | {c.Detail.Replace("|", "/", StringComparison.Ordinal)} |");
        }

        return s.ToString();
    }

    private static void AppendGroup(StringBuilder s, Group.ConsumerGroup group, long missing)
    {
        Group.GroupLedger g = group.Ledger;
        s.AppendLine($"| consumer group ({group.Client}) | value |");
        s.AppendLine("| --- | --: |");
        s.AppendLine($"| members over the run | {g.Members.Count} |");
        s.AppendLine($"| messages processed | {g.Processed:N0} |");
        s.AppendLine($"| never processed | {missing:N0} |");
        s.AppendLine($"| re-read after a commit failure / lost partitions | {g.ExplainedRereads:N0} |");
        s.AppendLine($"| re-read after a clean hand-over | {g.UnexplainedRereads:N0} |");
        s.AppendLine($"| dropped by the brokers before the group read them | {g.Dropped:N0} |");
        foreach (Group.GroupMember m in g.Members)
        {
            s.AppendLine($"| member {m.Number}: {m.State}, {m.Batches:N0} batches, {m.ErrorEvents:N0} error events | {(m.Trouble is null ? "no trouble" : m.Trouble.Replace("|", "/", StringComparison.Ordinal))} |");
        }

        s.AppendLine();
    }

    private static string Us(long nanoseconds) => nanoseconds < 10_000 ? $"{nanoseconds / 1000.0:0.00} µs" : $"{nanoseconds / 1000.0:N0} µs";

    internal static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "unknown";
        }
    }
}

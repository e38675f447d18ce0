using System.Diagnostics;
using Confluent.Kafka;
using KafkaFast.Benchmarks.Broker;
using KafkaFast.Chaos.Checking;
using KafkaFast.Chaos.Faults;
using KafkaFast.Chaos.Group;
using KafkaFast.Chaos.Messages;
using KafkaFast.Chaos.Producing;
using KafkaFast.Chaos.Reading;

namespace KafkaFast.Chaos.Orchestration;

/// <summary>
/// A whole chaos run: brokers (child process), readers and the consumer group (here), the producer (child process),
/// the fault schedule, then the drain, the read-back to the end offsets, the checks and the report.
/// </summary>
internal static class ChaosRun
{
    internal static int Run(ChaosSettings settings, string command)
    {
        var clock = Stopwatch.StartNew();
        string directory = settings.OutputDirectory.Length > 0
            ? Path.GetFullPath(settings.OutputDirectory)
            : Path.Combine(Path.GetTempPath(), $"kafkafast-chaos-{DateTime.UtcNow:yyyyMMdd-HHmmss}-{settings.Seed}");
        Directory.CreateDirectory(directory);
        using var runLog = File.CreateText(Path.Combine(directory, "run.log"));
        var logLock = new Lock();
        void Log(string line)
        {
            string text = $"[chaos {clock.Elapsed.TotalSeconds,7:0.0} s] {line}";
            lock (logLock)
            {
                Console.WriteLine(text);
                runLog.WriteLine(text);
                runLog.Flush();
            }
        }

        Log($"seed {settings.Seed} (rerun: {command}); files in {directory}");
        using BrokerProcess broker = BrokerProcess.Start(settings.Brokers);
        string topic = broker.CreateTopic("chaos", settings.Partitions);
        broker.SetGroupInitialRebalanceDelay(TimeSpan.FromMilliseconds(300));
        settings = settings with { Topic = topic, BootstrapServers = broker.BootstrapServers, OutputDirectory = directory };
        Log($"brokers: pid {broker.ProcessId}, {broker.BootstrapServers}; topic {topic} ({settings.Partitions} partitions)");

        MessageFactory factory = settings.CreateFactory();
        TopicReader[] readers =
        [
            new KafkaFastTopicReader(settings.BootstrapServers, topic, settings.Partitions, new MessageVerifier(factory),
                new ReadLedger("KafkaConsumer")),
            new ConfluentTopicReader(settings.BootstrapServers, topic, settings.Partitions, new MessageVerifier(factory),
                new ReadLedger("Confluent.Kafka")),
        ];
        foreach (TopicReader reader in readers)
        {
            reader.Start();
        }

        var group = new ConsumerGroup(settings.BootstrapServers, topic, settings.MaxGroupMembers);
        ConsumerGroup? peerGroup = settings.ConfluentPeer ? new ConsumerGroup(settings.BootstrapServers, topic, settings.MaxGroupMembers, confluent: true) : null;
        for (int i = 0; i < Math.Min(2, settings.MaxGroupMembers); i++)
        {
            group.Join();
            peerGroup?.Join();
        }

        using ProducerProcess producer = ProducerProcess.Start(settings, Log);
        if (!producer.WaitReady(TimeSpan.FromSeconds(120)))
        {
            Log("FAILED: the producer process did not become ready within 120 s");
            return 1;
        }

        Log($"producer process pid {producer.Id} ready; faults for {settings.Seconds} s");
        var scheduler = new FaultScheduler(settings, broker, group, peerGroup, Log);
        using (var progress = new Timer(_ => Log($"read: {string.Join(", ", readers.Select(r => $"{r.Name} {r.Ledger.Read:N0}"))}, group {group.Ledger.Processed:N0} ({group.Describe()}){(peerGroup is null ? "" : $", peer group {peerGroup.Ledger.Processed:N0} ({peerGroup.Describe()})")}"),
            null, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10)))
        {
            scheduler.Run(TimeSpan.FromSeconds(settings.Seconds), CancellationToken.None);
        }

        TimeSpan drainLimit = TimeSpan.FromSeconds((2 * settings.MessageTimeoutSeconds) + 240);
        ProducerSummary? summary = producer.WaitDone(drainLimit);
        Log(summary is null ? $"the producer process did not finish within {drainLimit.TotalSeconds:0} s" : $"producer done: accepted {summary.StatsAccepted:N0}, failed {summary.StatsFailed:N0}");

        long[] endOffsets = HighWatermarks(settings);
        Log($"end offsets: {string.Join(", ", endOffsets)} (total {endOffsets.Sum():N0}); reading up to them");
        bool readersDone = WaitFor(() => readers.All(r => r.HasReached(endOffsets) || r.Failure is not null), TimeSpan.FromSeconds(180));
        bool groupDone = WaitFor(() => group.Ledger.HasReached(endOffsets) && (peerGroup is null || peerGroup.Ledger.HasReached(endOffsets)), TimeSpan.FromSeconds(180));
        foreach (TopicReader reader in readers)
        {
            reader.Stop(TimeSpan.FromSeconds(60));
        }

        List<GroupMember> notStopped = group.StopAll(TimeSpan.FromSeconds(90));
        peerGroup?.StopAll(TimeSpan.FromSeconds(90));

        var failures = new Dictionary<ulong, OutcomeFiles.FailureRecord>();
        foreach (string file in new[] { OutcomeFiles.Failures, OutcomeFiles.PeerFailures })
        {
            foreach (OutcomeFiles.FailureRecord f in OutcomeFiles.ReadAll(Path.Combine(directory, file), OutcomeFiles.FailureRecord.Size, OutcomeFiles.FailureRecord.Read))
            {
                failures[f.Id] = f;
            }
        }

        long asyncOutcomes = 0, placementMismatches = 0, failuresNotReported = 0;
        var asyncExamples = new List<string>();
        ReadLedger first = readers[0].Ledger;
        foreach (OutcomeFiles.AsyncRecord a in OutcomeFiles.ReadAll(Path.Combine(directory, OutcomeFiles.AsyncOutcomes), OutcomeFiles.AsyncRecord.Size, OutcomeFiles.AsyncRecord.Read))
        {
            asyncOutcomes++;
            MessageId id = MessageId.Unpack(a.Id);
            if (a.Delivered)
            {
                (int Partition, long Offset)? found = first.PlacementOf(id);
                // A request the embedded cluster appended twice reports the second copy's offset: judge single copies only.
                if (found != (a.Partition, a.OffsetOrError) && first.CountOf(id) == 1)
                {
                    placementMismatches++;
                    if (asyncExamples.Count < 5)
                    {
                        asyncExamples.Add($"message {id}: DeliveryResult says {a.Partition}@{a.OffsetOrError}, read at {(found is { } f ? $"{f.Partition}@{f.Offset}" : "nowhere")}");
                    }
                }
            }
            else if (!failures.ContainsKey(a.Id))
            {
                failuresNotReported++;
                if (asyncExamples.Count < 5)
                {
                    asyncExamples.Add($"message {id}: ProduceAsync failed with {(KafkaErrorCode)a.OffsetOrError} but no failure report names it");
                }
            }
        }

        long[] acceptedPerStream = summary?.Streams.OrderBy(s => s.Index).Select(s => s.Accepted).ToArray() ?? [];
        (long groupMissing, List<string> groupExamples) = group.Ledger.FindMissing(endOffsets, new long[endOffsets.Length]);
        var results = new ChaosResults
        {
            Settings = settings,
            Command = command,
            Producer = summary,
            ProducerExitCode = producer.ExitCode,
            ProducerStderrLines = Interlocked.Read(ref producer.StderrLines),
            Faults = scheduler.Injected,
            Readers = readers,
            Tallies = readers.Select(r => MessageAccounting.Tally(r.Ledger, acceptedPerStream, failures, settings.KindOf)).ToList(),
            KafkaFastTallies = readers.Select(r => MessageAccounting.Tally(r.Ledger, acceptedPerStream, failures, settings.KindOf, settings.IsKafkaFastStream)).ToList(),
            EndOffsets = endOffsets,
            ReadersReachedEnd = readersDone,
            Failures = failures,
            AsyncOutcomes = asyncOutcomes,
            AsyncPlacementMismatches = placementMismatches,
            AsyncFailuresNotReported = failuresNotReported,
            AsyncExamples = asyncExamples,
            Group = group,
            PeerGroup = peerGroup,
            PeerGroupMissing = peerGroup?.Ledger.FindMissing(endOffsets, new long[endOffsets.Length]).Missing ?? 0,
            GroupMissing = groupMissing,
            GroupMissingExamples = groupExamples,
            GroupMembersNotStopped = notStopped.Select(m => $"member {m.Number} ({m.State})").ToList(),
            GroupReachedEnd = groupDone,
            Elapsed = clock.Elapsed,
        };
        List<Check> checks = Verdict.Evaluate(results, settings.KnownFailures);
        string[] unknownIds = settings.KnownFailures.Except(checks.Select(c => c.Id)).ToArray();
        string report = ChaosReport.Markdown(results, checks);
        File.WriteAllText(Path.Combine(directory, "report.md"), report);
        Console.WriteLine();
        Console.WriteLine(report);
        if (unknownIds.Length > 0)
        {
            Log($"FAILED: --known-failure names no check: {string.Join(", ", unknownIds)} (ids: {string.Join(", ", checks.Select(c => c.Id).Distinct())})");
            return 1;
        }

        bool passed = !checks.Any(c => c.Fails);
        int known = checks.Count(c => !c.Held && c.Known);
        Log(passed
            ? $"PASSED: {checks.Count - known} of {checks.Count} checks held{(known > 0 ? $", {known} known failure(s) not counted" : "")} (seed {settings.Seed})"
            : $"FAILED: {checks.Count(c => c.Fails)} of {checks.Count} checks did not hold; rerun: {command}");
        return passed ? 0 : 1;
    }

    /// <summary>Each partition's end offset, from the leader (Confluent.Kafka: independent of the code under test).</summary>
    private static long[] HighWatermarks(ChaosSettings settings)
    {
        using var consumer = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig { BootstrapServers = settings.BootstrapServers, GroupId = "chaos-watermarks" })
            .SetLogHandler((_, _) => { })
            .SetErrorHandler((_, _) => { })
            .Build();
        return Enumerable.Range(0, settings.Partitions)
            .Select(p => consumer.QueryWatermarkOffsets(new Confluent.Kafka.TopicPartition(settings.Topic, p), TimeSpan.FromSeconds(30)).High.Value)
            .ToArray();
    }

    private static bool WaitFor(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            if (deadline.Elapsed > timeout)
            {
                return false;
            }

            Thread.Sleep(200);
        }

        return true;
    }
}

using System.Diagnostics;
using System.Text.Json;
using KafkaFast.Measurement;
using KafkaFast.Producer;

namespace KafkaFast.Chaos.Producing;

/// <summary>
/// The producer process: its RSS, threads and call latency are the producer's alone (brokers and readers run in
/// other processes). Protocol on stdout: "ready" once the topic is resolved, "progress ..." every 10 s, "done"
/// after the summary is written. Produces for the set time, waits for its streams, flushes, closes.
/// </summary>
internal static class ProducerChild
{
    internal const string Mode = "producer-process";
    internal const string SummaryFile = "summary.json";
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    internal static async Task<int> RunAsync(string settingsPath)
    {
        ChaosSettings settings = JsonSerializer.Deserialize<ChaosSettings>(await File.ReadAllTextAsync(settingsPath))!;
        _ = Task.Run(() =>
        {
            // The parent holds our stdin: when it closes, the run is over (the parent died or was stopped).
            while (Console.In.ReadLine() is not null)
            {
            }

            Environment.Exit(3);
        });
        var factory = settings.CreateFactory();
        long residentBeforeProducer = ProcessMemory.ResidentBytes();
        var options = new KafkaProducerOptions
        {
            BootstrapServers = settings.BootstrapServers,
            ClientId = "chaos",
            MaxClients = settings.MaxClients,
            MemoryBudgetBytes = settings.BudgetBytes,
            MessageTimeout = TimeSpan.FromSeconds(settings.MessageTimeoutSeconds),
            OverflowPolicy = OverflowPolicy.Reject,
            FailureBufferCapacity = 100_000,
            MetadataTimeout = TimeSpan.FromSeconds(60),
            Properties = { ["max.in.flight.requests.per.connection"] = settings.MaxInFlight.ToString(System.Globalization.CultureInfo.InvariantCulture) },
        };
        await using var producer = new KafkaProducer(options);
        KafkaTopic topic = producer.GetTopic(settings.Topic);
        var sampler = new ResourceSampler(); // baseline: the producer started and connected, nothing produced yet (as ProducerBudgetTests)
        var recorder = new FailureRecorder(producer, Path.Combine(settings.OutputDirectory, OutcomeFiles.Failures));
        using var asyncOutcomes = new AsyncOutcomes(Path.Combine(settings.OutputDirectory, OutcomeFiles.AsyncOutcomes));
        var latency = new LatencyHistogram();
        var context = new StreamContext(settings, factory, producer, topic, latency, asyncOutcomes);
        ProducerStream[] streams = Enumerable.Range(0, settings.Streams + (settings.ConfluentPeer ? 1 : 0)).Select(i => ProducerStream.Create(i, context)).ToArray();

        recorder.Start();
        sampler.Start();
        Console.WriteLine("ready");
        var clock = Stopwatch.StartNew();
        foreach (ProducerStream stream in streams)
        {
            stream.Start();
        }

        while (clock.Elapsed.TotalSeconds < settings.Seconds)
        {
            await Task.Delay(TimeSpan.FromSeconds(Math.Min(10, Math.Max(0.05, settings.Seconds - clock.Elapsed.TotalSeconds))));
            Console.WriteLine($"progress {clock.Elapsed.TotalSeconds:0} s: {producer.GetStatistics()}, RSS {ProcessMemory.ResidentBytes() >> 20} MiB");
        }

        double produceSeconds = clock.Elapsed.TotalSeconds;
        foreach (ProducerStream stream in streams)
        {
            stream.Stop();
        }

        TimeSpan drainLimit = TimeSpan.FromSeconds(settings.MessageTimeoutSeconds + 60);
        foreach (ProducerStream stream in streams)
        {
            if (!stream.Join(drainLimit))
            {
                Console.WriteLine($"progress stream {stream.Index} did not stop within {drainLimit.TotalSeconds:0} s");
            }
        }

        long flushLeft = await producer.FlushAsync(drainLimit);
        ProducerStatistics afterFlush = producer.GetStatistics();
        ProducerCloseResult close = await producer.CloseAsync();
        bool channelCompleted = recorder.Wait(TimeSpan.FromSeconds(60));
        double drainSeconds = clock.Elapsed.TotalSeconds - produceSeconds;
        sampler.Stop();
        ProducerStatistics stats = producer.GetStatistics();
        LatencySummary calls = latency.Summarize();

        var summary = new ProducerSummary
        {
            Streams = streams.Select(s => new StreamSummary(s.Index, s.Kind.ToString(), s.Accepted, s.RefusedCalls, s.Failure?.ToString())).ToList(),
            StatsAccepted = stats.Accepted,
            StatsDelivered = stats.Delivered,
            StatsFailed = stats.Failed,
            StatsInFlight = stats.InFlight,
            StatsRejected = stats.Rejected.ToDictionary(r => r.Key.ToString(), r => r.Value),
            StatsFailedByError = stats.FailedByError.ToDictionary(r => r.Key.ToString(), r => r.Value),
            StatsFailuresDropped = stats.FailuresDropped,
            StatsBudgetBytesInUseAfterFlush = afterFlush.BudgetBytesInUse,
            StatsBudgetBytesInUseAfterClose = stats.BudgetBytesInUse,
            SlabSize = stats.SlabSize,
            StatsIsFatal = stats.IsFatal,
            StatsFatalReason = stats.FatalReason,
            FlushLeft = flushLeft,
            CloseAccepted = close.Accepted,
            CloseDelivered = close.Delivered,
            CloseFailed = close.Failed,
            ClosePurged = close.PurgedAtClose,
            FailuresRecorded = recorder.Recorded,
            FailuresWithoutReason = recorder.WithoutReason,
            FailuresUnidentified = recorder.Unidentified,
            FailuresChannelCompleted = channelCompleted,
            FailureReasons = recorder.Reasons.ToDictionary(r => r.Key.ToString(), r => r.Value),
            Examples = recorder.Examples,
            AsyncDelivered = asyncOutcomes.DeliveredCount,
            AsyncFailed = asyncOutcomes.FailedCount,
            BudgetBytes = settings.BudgetBytes,
            ResidentBytesBeforeProducer = residentBeforeProducer,
            BaselineResidentBytes = sampler.BaselineResidentBytes,
            MinResidentBytes = sampler.MinResidentBytes,
            MaxResidentBytes = sampler.MaxResidentBytes,
            BaselineThreads = sampler.BaselineThreads,
            MinThreads = sampler.MinThreads,
            MaxThreads = sampler.MaxThreads,
            MinKafkaThreads = sampler.MinKafkaThreads,
            MaxKafkaThreads = sampler.MaxKafkaThreads,
            KafkaThreadBound = KafkaThreadBound(settings),
            ResourceSamples = sampler.Samples,
            Timeline = [.. sampler.Timeline],
            LatencySamples = calls.Samples,
            LatencyP50Ns = calls.P50,
            LatencyP99Ns = calls.P99,
            LatencyP999Ns = calls.P999,
            LatencyMaxNs = calls.Max,
            ProduceSeconds = produceSeconds,
            DrainSeconds = drainSeconds,
        };
        await File.WriteAllTextAsync(Path.Combine(settings.OutputDirectory, SummaryFile), JsonSerializer.Serialize(summary, Indented));
        Console.WriteLine("done");
        return 0;
    }

    /// <summary>
    /// Threads the producer may own: per client, its worker, librdkafka's main and internal threads, and one thread
    /// per broker for the bootstrap list and one per broker learned from metadata.
    /// </summary>
    internal static int KafkaThreadBound(ChaosSettings settings) => settings.MaxClients * (3 + (2 * settings.Brokers));
}

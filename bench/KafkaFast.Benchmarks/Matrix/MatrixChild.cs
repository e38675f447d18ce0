using System.Diagnostics;
using System.Text.Json;
using KafkaFast.Benchmarks.Measurement;
using KafkaFast.Measurement;
using KafkaFast.Native;

namespace KafkaFast.Benchmarks.Matrix;

/// <summary>
/// A matrix producer process: this program re-launched as "matrix-client SPEC-JSON", one per client and cell, so that
/// its CPU and peak RSS are the client's alone (and the same as the raw C program's: a whole process). Warm-up
/// (two rounds, each until delivered), a full GC, then measured from the first call until the last delivery report:
/// prints "result {json}" (<see cref="MatrixRunResult"/>).
/// </summary>
internal static class MatrixChild
{
    internal const string Mode = "matrix-client";

    internal static int Run(string specJson)
    {
        MatrixRunSpec spec = JsonSerializer.Deserialize<MatrixRunSpec>(specJson, MatrixRunSpec.Json)
            ?? throw new ArgumentException("empty matrix-client spec");
        var timeout = TimeSpan.FromSeconds(spec.TimeoutSeconds);
        using MatrixProducer producer = spec.Client switch
        {
            MatrixClient.KafkaFast => new KafkaFastMatrixProducer(spec),
            MatrixClient.Confluent => new ConfluentMatrixProducer(spec),
            _ => throw new ArgumentException($"{spec.Client} does not run in a .NET process"),
        };

        long half = spec.Warmup / 2;
        long sent = 0;
        foreach (long round in new[] { half, spec.Warmup - half })
        {
            if (round == 0)
            {
                continue;
            }

            Threads.RunNamed(Threads.DriverPrefix, () => Drive(producer, sent, round, rate: 0, sampleEvery: 0));
            sent += round;
            if (!producer.WaitForReports(sent, timeout) || producer.Failed != 0)
            {
                Console.Error.WriteLine($"warm-up: {producer.Delivered} of {sent} delivered, {producer.Failed} failed {producer.FirstError}");
                return 1;
            }

            Thread.Sleep(300); // lets tiered compilation promote what the round made hot
        }

        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        Thread.Sleep(200);

        long retries = 0;
        ProcessMeter meter = ProcessMeter.Start(perThread: true);
        Threads.RunNamed(Threads.DriverPrefix, () => retries = Drive(producer, spec.Warmup, spec.Messages, spec.Rate, spec.SampleEvery));
        bool complete = producer.WaitForReports(spec.Total, timeout);
        ProcessUsage usage = meter.Stop();

        producer.WaitForProbes(TimeSpan.FromSeconds(10));
        LatencySummary latency = producer.Deliveries.Summarize();
        var result = new MatrixRunResult
        {
            Client = MatrixRow.OptionName(spec.Client),
            Produced = spec.Total,
            Measured = spec.Messages,
            Delivered = producer.Delivered,
            Failed = producer.Failed,
            Retries = retries,
            Complete = complete,
            CpuNs = usage.CpuNanoseconds,
            WallNs = usage.WallNanoseconds,
            PeakRssBytes = usage.PeakRssBytes,
            AllocatedBytes = usage.Gc.AllocatedBytes,
            Gen0 = usage.Gc.Gen0,
            Gen1 = usage.Gc.Gen1,
            Gen2 = usage.Gc.Gen2,
            LatencySamples = latency.Samples,
            ProbesSkipped = producer.ProbesSkipped,
            LatencyP50Ns = latency.P50,
            LatencyP99Ns = latency.P99,
            LatencyP999Ns = latency.P999,
            LatencyMaxNs = latency.Max,
            Librdkafka = LibrdkafkaLibrary.TryGetMappedFiles(out IReadOnlyList<string> mapped) ? string.Join(';', mapped) : "",
            LibrdkafkaVersion = LibrdkafkaLibrary.LoadedVersion.ToString(3),
            Error = producer.FirstError,
            Threads = [.. usage.Threads.Where(t => t.CpuNanoseconds > 0).Select(t => new MatrixThread(
                t.ThreadId == Environment.ProcessId ? "main thread (waits for deliveries)" : t.Name, t.CpuNanoseconds))],
        };
        Console.Out.WriteLine("result " + JsonSerializer.Serialize(result, MatrixRunSpec.Json));
        Console.Out.Flush();
        return complete && result.Failed == 0 ? 0 : 1;
    }

    /// <summary>
    /// Sends messages first .. first + count - 1 from one thread: flat out, or paced at <paramref name="rate"/>
    /// per second from the start (whatever is due is sent, then the thread sleeps 1 ms). Every
    /// <paramref name="sampleEvery"/>-th message is a probe; a probe whose call is refused passes to the next message.
    /// </summary>
    internal static long Drive(MatrixProducer producer, long first, long count, int rate, int sampleEvery)
    {
        var backoff = new Backoff();
        long start = Stopwatch.GetTimestamp();
        double ticksPerMessage = rate > 0 ? Stopwatch.Frequency / (double)rate : 0;
        bool carry = false;
        for (long i = 0; i < count; i++)
        {
            if (rate > 0)
            {
                long due = start + (long)(i * ticksPerMessage);
                while (Stopwatch.GetTimestamp() < due)
                {
                    Thread.Sleep(1);
                }
            }

            bool probe = sampleEvery > 0 && (carry || i % sampleEvery == 0);
            bool timed = producer.Produce(first + i, probe, ref backoff);
            carry = probe && !timed;
        }

        return backoff.Retries;
    }
}

using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using KafkaFast.Benchmarks.Broker;
using KafkaFast.Measurement;
using KafkaFast.Native;
using KafkaFast.Producer;

namespace KafkaFast.Benchmarks.Matrix;

/// <summary>
/// Runs the latency matrix: every cell gets a fresh embedded cluster (a broker host process of its own, so no cell
/// inherits another's topics, memory or CPU), every broker gets the cell's round-trip time, and each client produces
/// to a fresh 6-partition topic from its own process (raw C program, or this program in matrix-client mode):
/// warm-up, then the measured messages flat out or paced. Then the RTT goes back to 0 and the topic is read back
/// and checked (<see cref="ReadBackCheck"/>).
/// </summary>
internal sealed class MatrixRunner(BenchSettings settings, Action<string> log)
{
    private const int Partitions = BenchSettings.Partitions;

    /// <summary>The note on the raw C producer (how it was built and linked, or why it was skipped).</summary>
    internal string RawCNote { get; private set; } = "";

    internal List<MatrixRun> Run()
    {
        RawCProducer? rawC = null;
        if (settings.MatrixClients.Contains(MatrixClient.RawC))
        {
            rawC = RawCProducer.TryBuild(out string note);
            RawCNote = note;
            log($"[matrix] {note}");
        }

        var runs = new List<MatrixRun>();
        for (int repeat = 1; repeat <= settings.MatrixRepeat; repeat++)
        {
            foreach (MatrixCell cell in settings.MatrixCells)
            {
                using BrokerProcess broker = BrokerProcess.Start(BenchSettings.Brokers);
                foreach (MatrixRow row in RowsFor(cell))
                {
                    if (row.Client == MatrixClient.RawC && rawC is null)
                    {
                        continue;
                    }

                    MatrixRun run = RunOne(broker, cell, row, repeat, rawC);
                    runs.Add(run);
                    log(Describe(run));
                }
            }
        }

        return runs;
    }

    /// <summary>raw C, KafkaFast (one row per budget in the flat-out cells at >= 200 ms RTT), Confluent.</summary>
    internal IEnumerable<MatrixRow> RowsFor(MatrixCell cell)
    {
        foreach (MatrixClient client in settings.MatrixClients)
        {
            if (client != MatrixClient.KafkaFast)
            {
                yield return new MatrixRow(client, null);
            }
            else if (cell.FlatOut && cell.RttMs >= 200)
            {
                foreach (long budget in settings.MatrixBudgetsBytes)
                {
                    yield return new MatrixRow(client, budget);
                }
            }
            else
            {
                yield return new MatrixRow(client, settings.KafkaFastBudgetBytes ?? new KafkaProducerOptions().MemoryBudgetBytes);
            }
        }
    }

    /// <summary>Measured messages of a cell: --matrix-messages flat out, rate x --matrix-seconds paced.</summary>
    internal long MessagesFor(MatrixCell cell) =>
        cell.FlatOut ? settings.MatrixMessages : Math.Max(1, (long)(cell.Rate * settings.MatrixSeconds));

    /// <summary>Warm-up: a tenth of the run, at least 2,000 and at most 40,000 messages.</summary>
    internal static long WarmupFor(long messages) => Math.Clamp(messages / 10, 2_000, 40_000);

    private MatrixRun RunOne(BrokerProcess broker, MatrixCell cell, MatrixRow row, int repeat, RawCProducer? rawC)
    {
        long messages = MessagesFor(cell);
        double expectedSeconds = cell.FlatOut ? messages / 50_000.0 : messages / (double)cell.Rate;
        string topic = broker.CreateTopic($"matrix-{cell.RttMs}ms-{cell.RateName}-{MatrixRow.OptionName(row.Client)}", Partitions);
        var spec = new MatrixRunSpec
        {
            Client = row.Client,
            Bootstrap = broker.BootstrapServers,
            Topic = topic,
            Messages = messages,
            Warmup = WarmupFor(messages),
            Rate = cell.Rate,
            SampleEvery = settings.SampleEvery,
            BudgetBytes = row.BudgetBytes,
            Properties = row.Client switch
            {
                MatrixClient.KafkaFast => settings.KafkaFastProperties,
                MatrixClient.Confluent => settings.ConfluentProperties,
                _ => settings.RawCProperties,
            },
            TimeoutSeconds = (int)Math.Min(3600, 120 + 4 * expectedSeconds),
        };

        var run = new MatrixRun { Cell = cell, Row = row, Spec = spec, Repeat = repeat };
        string latencyFile = Path.Combine(Path.GetTempPath(), $"kafkafast-matrix-{Environment.ProcessId}-{topic}.lat");
        try
        {
            broker.SetRoundTripTime(TimeSpan.FromMilliseconds(cell.RttMs));
            ProcessStartInfo info = row.Client == MatrixClient.RawC
                ? rawC!.StartInfo(spec, latencyFile)
                : SelfProcess.StartInfo(MatrixChild.Mode, JsonSerializer.Serialize(spec, MatrixRunSpec.Json));
            (int exit, string? line) = RunProcess(info, TimeSpan.FromSeconds(spec.TimeoutSeconds + 60));
            broker.SetRoundTripTime(TimeSpan.Zero);
            if (line is null)
            {
                return run with { Error = exit == int.MinValue ? "timed out (killed)" : $"exit code {exit} without a result" };
            }

            MatrixRunResult result = JsonSerializer.Deserialize<MatrixRunResult>(line, MatrixRunSpec.Json)
                ?? throw new InvalidOperationException("empty result");
            LatencySummary latency = row.Client == MatrixClient.RawC
                ? ReadLatencies(latencyFile)
                : new LatencySummary(result.LatencySamples, result.LatencyP50Ns, result.LatencyP99Ns, result.LatencyP999Ns, result.LatencyMaxNs);
            ReadBackResult check = ReadBackCheck.Run(broker.BootstrapServers, topic, Partitions, spec.Total, TimeSpan.FromSeconds(120));
            var problems = new List<string>();
            if (!result.Complete || result.Delivered + result.Failed < spec.Total)
            {
                problems.Add($"{result.Delivered:N0} of {spec.Total:N0} reports before the timeout");
            }

            if (result.Failed > 0)
            {
                problems.Add($"{result.Failed:N0} failed ({result.Error})");
            }

            if (exit != 0 && problems.Count == 0)
            {
                problems.Add($"exit code {exit}");
            }

            if (result.Librdkafka.Contains(';', StringComparison.Ordinal) || !RawCProducer.SameFile(result.Librdkafka, LibrdkafkaLibrary.LoadedPath))
            {
                problems.Add($"it mapped librdkafka '{result.Librdkafka}', not KafkaFast's {LibrdkafkaLibrary.LoadedPath}");
            }

            if (!check.Ok)
            {
                problems.Add($"read-back {check.Summary}");
            }

            return run with { Result = result, Latency = latency, Check = check, Error = string.Join("; ", problems) };
        }
        catch (Exception e)
        {
            // Whatever went wrong with this run is its result: the other cells still run.
            TryReset(broker);
            return run with { Error = $"{e.GetType().Name}: {e.Message}" };
        }
        finally
        {
            File.Delete(latencyFile);
        }
    }

    private static void TryReset(BrokerProcess broker)
    {
        try
        {
            broker.SetRoundTripTime(TimeSpan.Zero);
        }
        catch (InvalidOperationException)
        {
        }
    }

    /// <summary>Runs a producer process; returns its exit code (int.MinValue when killed) and its "result " line.</summary>
    private static (int Exit, string? Result) RunProcess(ProcessStartInfo info, TimeSpan timeout)
    {
        info.RedirectStandardOutput = true;
        using Process process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {info.FileName}");
        string? result = null;
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { } data && data.StartsWith("result ", StringComparison.Ordinal))
            {
                result = data["result ".Length..];
            }
            else if (e.Data is { Length: > 0 })
            {
                Console.Error.WriteLine($"[matrix child] {e.Data}");
            }
        };
        process.BeginOutputReadLine();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            return (int.MinValue, null);
        }

        process.WaitForExit(); // drains the output
        return (process.ExitCode, result);
    }

    /// <summary>The raw C program's probe latencies (int64 ns each) into the same histogram the .NET clients use.</summary>
    private static LatencySummary ReadLatencies(string path)
    {
        var histogram = new LatencyHistogram();
        if (File.Exists(path))
        {
            byte[] bytes = File.ReadAllBytes(path);
            for (int i = 0; i + 8 <= bytes.Length; i += 8)
            {
                histogram.RecordNanoseconds(BitConverter.ToInt64(bytes, i));
            }
        }

        return histogram.Summarize();
    }

    internal static string Describe(MatrixRun run)
    {
        string head = $"[matrix {run.Repeat}] {run.Cell.RttMs} ms RTT, {run.Cell.LoadDescription}, {run.Row.Name}:";
        if (run.Result is not { } r)
        {
            return $"{head} FAILED: {run.Error}";
        }

        var inv = CultureInfo.InvariantCulture;
        string figures = string.Create(inv, $"{run.CpuUsPerMessage:0.00} µs CPU/msg, {run.MessagesPerSecond:N0} msgs/s, delivery p50/p99 {run.Latency.P50 / 1e6:0.00}/{run.Latency.P99 / 1e6:0.00} ms");
        string more = string.Create(inv, $"({run.Latency.Samples:N0} timed), peak RSS {r.PeakRssBytes / 1048576.0:0} MiB, retries {r.Retries:N0}");
        return $"{head} {figures} {more}, check: {run.Check?.Summary}{(run.Ok ? "" : $" FAILED: {run.Error}")}";
    }
}

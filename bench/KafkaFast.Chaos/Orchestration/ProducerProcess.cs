using System.Diagnostics;
using System.Text.Json;
using KafkaFast.Benchmarks.Broker;
using KafkaFast.Chaos.Producing;

namespace KafkaFast.Chaos.Orchestration;

/// <summary>
/// Starts this program as the producer process (<see cref="ProducerChild"/>), relays its progress lines, keeps its
/// stderr (librdkafka's own lines, if any) in a file, and reads its summary when it is done.
/// </summary>
internal sealed class ProducerProcess : IDisposable
{
    private readonly Process _process;
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _stderr;
    private readonly string _directory;

    private ProducerProcess(Process process, string directory, Action<string> log)
    {
        _process = process;
        _directory = directory;
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                _ready.TrySetException(new InvalidOperationException("the producer process ended before it was ready"));
                _done.TrySetResult();
                return;
            }

            if (e.Data == "ready")
            {
                _ready.TrySetResult();
            }
            else if (e.Data == "done")
            {
                _done.TrySetResult();
            }
            else
            {
                log("producer: " + e.Data);
            }
        };
        _process.BeginOutputReadLine();
        string stderrPath = Path.Combine(directory, "producer-stderr.txt");
        _stderr = Task.Run(async () =>
        {
            await using var file = File.CreateText(stderrPath);
            string? line;
            while ((line = await _process.StandardError.ReadLineAsync()) is not null)
            {
                StderrLines++;
                await file.WriteLineAsync(line);
            }
        });
    }

    /// <summary>Lines the producer process wrote to stderr (a library must not write to the console on its own).</summary>
    internal long StderrLines;

    internal int Id => _process.Id;

    internal static ProducerProcess Start(ChaosSettings settings, Action<string> log)
    {
        string settingsPath = Path.Combine(settings.OutputDirectory, "settings.json");
        File.WriteAllText(settingsPath, JsonSerializer.Serialize(settings));
        ProcessStartInfo info = SelfProcess.StartInfo(ProducerChild.Mode, settingsPath);
        info.RedirectStandardError = true;
        info.RedirectStandardInput = true; // the producer process ends when this end closes (this process died)
        var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {info.FileName} as the producer process.");
        return new ProducerProcess(process, settings.OutputDirectory, log);
    }

    internal bool WaitReady(TimeSpan timeout) => _ready.Task.Wait(timeout);

    /// <summary>Waits for the producer to finish (summary written) and exit; null if it did not, or wrote no summary.</summary>
    internal ProducerSummary? WaitDone(TimeSpan timeout)
    {
        if (!_done.Task.Wait(timeout) || !_process.WaitForExit(TimeSpan.FromSeconds(30)))
        {
            return null;
        }

        _stderr.Wait(TimeSpan.FromSeconds(10));
        ExitCode = _process.ExitCode;
        string path = Path.Combine(_directory, ProducerChild.SummaryFile);
        return File.Exists(path) ? JsonSerializer.Deserialize<ProducerSummary>(File.ReadAllText(path)) : null;
    }

    internal int? ExitCode { get; private set; }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // already gone
        }

        _process.Dispose();
    }
}

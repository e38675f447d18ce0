using System.ComponentModel;
using System.Diagnostics;
using System.Text;

namespace KafkaFast.Tool.Tests;

/// <summary>
/// Runs kafkafast as a user does: its own process (<c>dotnet KafkaFast.Tool.dll</c> from the test's output folder),
/// bytes on stdin, bytes from stdout, text from stderr, an exit code. Every run has a deadline; a run that misses it
/// is killed and the test fails naming the command.
/// </summary>
internal sealed class KafkafastProcess : IDisposable
{
    /// <summary>Far above what any command in these tests needs on a loaded machine.</summary>
    internal static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);

    private readonly Process _process;
    private readonly Task<byte[]> _stdout;
    private readonly StringBuilder _stderr = new();
    private readonly Task _stderrDone;
    private readonly string _commandLine;

    private KafkafastProcess(Process process, string commandLine)
    {
        _process = process;
        _commandLine = commandLine;
        _stdout = ReadAllAsync(process.StandardOutput.BaseStream);
        _stderrDone = Task.Run(async () =>
        {
            while (await process.StandardError.ReadLineAsync() is { } line)
            {
                lock (_stderr)
                {
                    _stderr.Append(line).Append('\n');
                }
            }
        });
    }

    internal sealed record Result(int ExitCode, byte[] Output, string Error)
    {
        internal string OutputText => Encoding.UTF8.GetString(Output);

        /// <summary>stderr without progress lines ("% ...").</summary>
        internal string[] ErrorLines => [.. Error.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith('%'))];

        public override string ToString() => $"exit {ExitCode}\nstderr:\n{Error}\nstdout:\n{OutputText}";
    }

    /// <summary>The dotnet host running these tests (the SDK sets DOTNET_HOST_PATH), else "dotnet" from PATH.</summary>
    private static string DotnetHost => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    private static string ToolDll => Path.Combine(AppContext.BaseDirectory, "KafkaFast.Tool.dll");

    /// <summary>stderr so far.</summary>
    internal string ErrorSoFar
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    internal Stream Input => _process.StandardInput.BaseStream;

    /// <summary>Starts kafkafast with <paramref name="args"/>; stdin stays open until <see cref="CloseInput"/>.</summary>
    internal static KafkafastProcess Start(params string[] args)
    {
        var start = new ProcessStartInfo(DotnetHost)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(ToolDll);
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return new KafkafastProcess(Process.Start(start) ?? throw new Win32Exception("could not start kafkafast"), "kafkafast " + string.Join(' ', args));
    }

    /// <summary>Runs kafkafast to completion with <paramref name="input"/> on stdin.</summary>
    internal static async Task<Result> RunAsync(byte[] input, params string[] args)
    {
        using KafkafastProcess process = Start(args);
        await process.Input.WriteAsync(input);
        process.CloseInput();
        return await process.WaitAsync();
    }

    internal static Task<Result> RunAsync(string input, params string[] args) => RunAsync(Encoding.UTF8.GetBytes(input), args);

    /// <summary>
    /// Runs a shell pipeline (bash) in which "kafkafast" stands for this tool, e.g. "kafkafast consume -t t | head -3";
    /// the result is the pipeline's (the last command's exit code, its stdout).
    /// </summary>
    internal static async Task<Result> RunPipelineAsync(string pipeline)
    {
        var start = new ProcessStartInfo("bash")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add($"kafkafast() {{ '{DotnetHost}' '{ToolDll}' \"$@\"; }}; {pipeline}");
        using var process = new KafkafastProcess(Process.Start(start) ?? throw new Win32Exception("could not start bash"), pipeline);
        process.CloseInput();
        return await process.WaitAsync();
    }

    internal void CloseInput() => _process.StandardInput.Close();

    /// <summary>Waits for the exit; past the deadline the process is killed and the test fails by name.</summary>
    internal async Task<Result> WaitAsync()
    {
        try
        {
            await _process.WaitForExitAsync().WaitAsync(Deadline);
        }
        catch (TimeoutException)
        {
            _process.Kill(entireProcessTree: true);
            throw new TimeoutException($"'{_commandLine}' did not exit within {Deadline.TotalSeconds:0} s; stderr so far:\n{ErrorSoFar}");
        }

        byte[] output = await _stdout.WaitAsync(Deadline);
        await _stderrDone.WaitAsync(Deadline);
        return new Result(_process.ExitCode, output, ErrorSoFar);
    }

    /// <summary>Polls stderr until it contains <paramref name="text"/> (or the process exits, or the deadline passes).</summary>
    internal async Task WaitForErrorTextAsync(string text)
    {
        var clock = Stopwatch.StartNew();
        while (!ErrorSoFar.Contains(text, StringComparison.Ordinal))
        {
            if (_process.HasExited || clock.Elapsed > Deadline)
            {
                throw new TimeoutException($"'{_commandLine}' never wrote \"{text}\" to stderr (exited: {_process.HasExited}); stderr:\n{ErrorSoFar}");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>Sends SIGINT (Ctrl+C).</summary>
    /// <summary>
    /// Ctrl+C: SIGINT. When this test process runs with SIGINT ignored (a CI job started in the background by a
    /// non-interactive shell: `cmd &amp;` ignores SIGINT and SIGQUIT), the child inherits that and .NET keeps it ignored,
    /// as a background job should; the tool then stops on SIGTERM, which it handles the same way.
    /// </summary>
    internal void Interrupt()
    {
        string signal = InterruptIgnored ? "-TERM" : "-INT";
        using var kill = Process.Start("kill", [signal, _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill?.WaitForExit();
    }

    /// <summary>Whether SIGINT (bit 1 of SigIgn) is ignored by this process, hence by the children it starts.</summary>
    private static bool InterruptIgnored
    {
        get
        {
            string? line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
            return line is not null && (ulong.Parse(line.AsSpan(7).Trim(), System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture) & 0x2) != 0;
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }

    private static async Task<byte[]> ReadAllAsync(Stream stream)
    {
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer);
        return buffer.ToArray();
    }
}

using System.Text;

namespace KafkaFast.Tool.Tests;

/// <summary>Runs kafkafast in process with captured input and output (fast; the process-level tests use <see cref="KafkafastProcess"/>).</summary>
internal static class Cli
{
    internal sealed record Result(int ExitCode, byte[] OutputBytes, string Error)
    {
        internal string Output => Encoding.UTF8.GetString(OutputBytes);
    }

    internal static Task<Result> RunAsync(string input, params string[] args) => RunAsync(Encoding.UTF8.GetBytes(input), CancellationToken.None, args);

    internal static Task<Result> RunAsync(string input, CancellationToken cancellationToken, params string[] args) =>
        RunAsync(Encoding.UTF8.GetBytes(input), cancellationToken, args);

    internal static async Task<Result> RunAsync(byte[] input, CancellationToken cancellationToken, params string[] args)
    {
        using var output = new MemoryStream();
        var error = new StringWriter();
        int code = await KafkaFastCli.RunAsync(args, new MemoryStream(input), output, TextWriter.Synchronized(error), cancellationToken: cancellationToken);
        return new Result(code, output.ToArray(), error.ToString());
    }
}

namespace KafkaFast.Tool.Tests;

/// <summary>Runs kafkafast in process with captured input and output.</summary>
internal static class Cli
{
    internal sealed record Result(int ExitCode, string Output, string Error);

    internal static Task<Result> RunAsync(string input, params string[] args) => RunAsync(input, CancellationToken.None, args);

    internal static async Task<Result> RunAsync(string input, CancellationToken cancellationToken, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = await KafkaFastCli.RunAsync(args, new StringReader(input), TextWriter.Synchronized(output), TextWriter.Synchronized(error), cancellationToken);
        return new Result(code, output.ToString(), error.ToString());
    }
}

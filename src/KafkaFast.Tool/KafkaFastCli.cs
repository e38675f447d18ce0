using System.CommandLine;
using System.CommandLine.Help;
using KafkaFast.Tool.Commands;

namespace KafkaFast.Tool;

/// <summary>The kafkafast command line. In-process entry point (tests call it with their own reader and writers).</summary>
public static class KafkaFastCli
{
    /// <summary>Exit code for bad arguments (like kcat and most Unix tools).</summary>
    public const int UsageError = 2;

    /// <summary>Runs one command; returns its exit code.</summary>
    public static async Task<int> RunAsync(string[] args, TextReader input, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        var console = new ToolConsole(input, output, error);
        Command root = Build(console);
        ParseResult parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            string command = parsed.CommandResult.Command == root ? "kafkafast" : $"kafkafast {parsed.CommandResult.Command.Name}";
            error.WriteLine($"error: {parsed.Errors[0].Message}");
            error.WriteLine($"usage: see '{command} --help'");
            return UsageError;
        }

        try
        {
            var configuration = new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null };
            return await parsed.InvokeAsync(configuration, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is UsageException or ArgumentException)
        {
            // Bad arguments, or settings librdkafka refused (-X): one line, usage hint, exit 2.
            error.WriteLine($"error: {e.Message}");
            error.WriteLine($"usage: see 'kafkafast {parsed.CommandResult.Command.Name} --help'");
            return UsageError;
        }
        catch (KafkaException e)
        {
            error.WriteLine($"error: {e.Code}: {e.Message}");
            return 1;
        }
        catch (DllNotFoundException e)
        {
            // No acceptable librdkafka: the message lists every file tried and why, and how to choose one.
            error.WriteLine($"error: {e.Message}");
            return 1;
        }
    }

    /// <summary>
    /// The root is a plain command named "kafkafast" rather than a RootCommand, which takes its name from the
    /// running file (KafkaFast.Tool.dll): help says "kafkafast" however the tool is started.
    /// </summary>
    private static Command Build(ToolConsole console)
    {
        var root = new Command("kafkafast", "kafkafast: produce, consume, benchmark and demo Kafka. Without -b, an embedded cluster is started.")
        {
            Options = { new HelpOption(), new VersionOption { Action = new VersionAction(console) } },
        };
        root.Subcommands.Add(MockCommand.Create(console));
        root.Subcommands.Add(ProduceCommand.Create(console));
        root.Subcommands.Add(ConsumeCommand.Create(console));
        root.Subcommands.Add(BenchCommand.Create(console));
        root.Subcommands.Add(GatewayCommand.Create(console));
        root.Subcommands.Add(DemoCommand.Create(console));
        return root;
    }
}

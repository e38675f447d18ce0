using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Parsing;
using System.Globalization;
using KafkaFast.Admin;
using KafkaFast.Tool.Commands;

namespace KafkaFast.Tool;

/// <summary>The kafkafast command line. In-process entry point (tests call it with their own streams).</summary>
public static class KafkaFastCli
{
    /// <summary>Exit code for bad arguments (like kcat and most Unix tools).</summary>
    public const int UsageError = 2;

    /// <summary>Runs one command; returns its exit code.</summary>
    /// <param name="args">The command line.</param>
    /// <param name="input">Standard input, as bytes.</param>
    /// <param name="output">Standard output, as bytes; a write that throws <see cref="IOException"/> means the reader went away.</param>
    /// <param name="error">Diagnostics.</param>
    /// <param name="outputClosed">Tells whether the reader of <paramref name="output"/> went away without a write (null: never).</param>
    /// <param name="cancellationToken">Ctrl+C: the command stops cleanly.</param>
    public static async Task<int> RunAsync(string[] args, Stream input, Stream output, TextWriter error, Func<bool>? outputClosed = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        var console = new ToolConsole(input, output, error, outputClosed);
        Command root = Build(console);
        ParseResult parsed = root.Parse(args);
        if (UsageProblem(parsed) is string problem)
        {
            error.WriteLine($"error: {problem}");
            error.WriteLine($"usage: see '{CommandPath(parsed.CommandResult)} --help'");
            return UsageError;
        }

        try
        {
            var configuration = new InvocationConfiguration { Output = console.Out, Error = error, EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null };
            return await parsed.InvokeAsync(configuration, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is UsageException or ArgumentException)
        {
            // Bad arguments, or settings librdkafka refused (-X): one line, usage hint, exit 2.
            error.WriteLine($"error: {e.Message}");
            error.WriteLine($"usage: see '{CommandPath(parsed.CommandResult)} --help'");
            return UsageError;
        }
        catch (CommandFailedException e)
        {
            error.WriteLine($"error: {e.Message}");
            return 1;
        }
        catch (KafkaAdminException e)
        {
            error.WriteLine($"error: {e.Message}"); // names the operation, each failed item, the error and librdkafka's reason
            return 1;
        }
        catch (KafkaException e)
        {
            error.WriteLine($"error: {e.Code}: {e.Message}");
            return 1;
        }
        catch (IOException) when (console.OutputClosed)
        {
            // Whoever read standard output went away (| head): stop quietly, as a Unix tool ended by SIGPIPE would.
            return 0;
        }
        catch (DllNotFoundException e)
        {
            // No acceptable librdkafka: the message lists every file tried and why, and how to choose one.
            error.WriteLine($"error: {e.Message}");
            return 1;
        }
    }

    /// <summary>
    /// The one-line problem with the command line, or null. Unknown options and commands are named as such
    /// (System.CommandLine would say "Required command was not provided", or take "--frob" for a file name).
    /// </summary>
    private static string? UsageProblem(ParseResult parsed)
    {
        CommandResult command = parsed.CommandResult;
        string? unknownOption = parsed.UnmatchedTokens.FirstOrDefault(LooksLikeOption)
            ?? command.Children.OfType<ArgumentResult>().SelectMany(a => a.Tokens).Select(t => t.Value).FirstOrDefault(LooksLikeOption);
        if (unknownOption is not null)
        {
            return $"unknown option '{unknownOption}'";
        }

        bool optionAction = command.Children.OfType<OptionResult>().Any(o => o.Option.Action is not null); // --help, --version
        bool isGroup = command.Command.Subcommands.Count > 0 && command.Command.Action is null && !optionAction;
        if (isGroup)
        {
            string[] names = [.. command.Command.Subcommands.Where(c => !c.Hidden).Select(c => c.Name)];
            return parsed.UnmatchedTokens.Count > 0
                ? $"unknown command '{parsed.UnmatchedTokens[0]}'"
                : $"no command given; {CommandPath(command)} takes one of: {string.Join(", ", names)}";
        }

        if (parsed.UnmatchedTokens.Count > 0)
        {
            return $"unexpected argument '{parsed.UnmatchedTokens[0]}'";
        }

        return parsed.Errors.Count > 0 ? parsed.Errors[0].Message : null;
    }

    /// <summary>"--frob" or "-q": not "-" (standard input) and not a negative number.</summary>
    private static bool LooksLikeOption(string token) =>
        token.Length > 1 && token[0] == '-' && !long.TryParse(token, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _);

    private static string CommandPath(CommandResult command)
    {
        var names = new List<string>();
        for (SymbolResult? at = command; at is not null; at = at.Parent)
        {
            if (at is CommandResult c)
            {
                names.Add(c.Command.Name);
            }
        }

        names.Reverse();
        return string.Join(' ', names);
    }

    /// <summary>
    /// The root is a plain command named "kafkafast" rather than a RootCommand, which takes its name from the
    /// running file (KafkaFast.Tool.dll): help says "kafkafast" however the tool is started.
    /// </summary>
    private static Command Build(ToolConsole console)
    {
        var root = new Command("kafkafast", "kafkafast: produce, consume, administer, benchmark and demo Kafka. Without -b, an embedded cluster is started.")
        {
            Options = { new HelpOption(), new VersionOption { Action = new VersionAction(console) } },
        };
        root.Subcommands.Add(MockCommand.Create(console));
        root.Subcommands.Add(ProduceCommand.Create(console));
        root.Subcommands.Add(ConsumeCommand.Create(console));
        root.Subcommands.Add(TopicCommand.Create(console));
        root.Subcommands.Add(GroupCommand.Create(console));
        root.Subcommands.Add(BenchCommand.Create(console));
        root.Subcommands.Add(GatewayCommand.Create(console));
        root.Subcommands.Add(DemoCommand.Create(console));
        return root;
    }
}

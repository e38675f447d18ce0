using System.CommandLine;
using System.Globalization;
using KafkaFast.Benchmarks.Broker;
using KafkaFast.Chaos;
using KafkaFast.Chaos.Orchestration;
using KafkaFast.Chaos.Producing;

// Child modes: the embedded cluster (the benchmark's broker host, linked in) and the producer process.
if (args.Length > 0 && args[0] == BrokerHost.Mode)
{
    return BrokerHost.Run(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 3);
}

if (args.Length > 1 && args[0] == ProducerChild.Mode)
{
    return await ProducerChild.RunAsync(args[1]);
}

var commandLine = new ChaosCommandLine();
ParseResult parsed = commandLine.Root.Parse(args);
if (parsed.Errors.Count > 0)
{
    foreach (var error in parsed.Errors)
    {
        Console.Error.WriteLine($"error: {error.Message}");
    }

    return 2;
}

int exitCode = 0;
commandLine.Root.SetAction(result =>
{
    ChaosSettings settings = commandLine.Settings(result);
    if (settings.Problem() is { } problem)
    {
        Console.Error.WriteLine($"error: {problem}");
        exitCode = 2;
        return;
    }

    var rerun = new List<string>();
    for (int i = 0; i < args.Length; i++)
    {
        if (args[i] == "--seed")
        {
            i++; // and its value
        }
        else if (!args[i].StartsWith("--seed=", StringComparison.Ordinal))
        {
            rerun.Add(args[i]);
        }
    }

    rerun.Add($"--seed {settings.Seed}");
    exitCode = ChaosRun.Run(settings, "dotnet run -c Release --project bench/KafkaFast.Chaos -- " + string.Join(' ', rerun));
});
int parseExit = parsed.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
return parseExit != 0 ? parseExit : exitCode;

using System.CommandLine;
using System.Globalization;
using KafkaFast.Mock;

namespace KafkaFast.Tool.Commands;

/// <summary>kafkafast mock: runs the embedded cluster until Ctrl+C, printing its bootstrap string.</summary>
internal static class MockCommand
{
    internal static Command Create(ToolConsole console)
    {
        var brokers = new Option<int>("--brokers") { Description = "Number of brokers", DefaultValueFactory = _ => 3 };
        var topics = new Option<string[]>("--topic", "-t")
        {
            Description = "A topic to create, name[:partitions] (repeatable; 6 partitions by default)",
            Arity = ArgumentArity.ZeroOrMore,
        };
        brokers.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 1 or > 64)
            {
                r.AddError("--brokers must be between 1 and 64");
            }
        });

        var command = new Command("mock", "Run the embedded Kafka cluster (librdkafka's mock brokers on 127.0.0.1) until Ctrl+C.");
        command.Options.Add(brokers);
        command.Options.Add(topics);
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var requested = new List<(string Name, int Partitions)>();
            foreach (string spec in parsed.GetValue(topics) ?? [])
            {
                requested.Add(ParseTopic(spec));
            }

            using var cluster = new KafkaMockCluster(parsed.GetValue(brokers));
            foreach ((string name, int partitions) in requested)
            {
                cluster.CreateTopic(name, partitions);
                console.Error.WriteLine($"% topic {name} ({partitions} partitions)");
            }

            console.Out.WriteLine(cluster.BootstrapServers);
            console.Out.Flush();
            console.Error.WriteLine($"% each partition keeps its newest {KafkaMockCluster.PartitionRetentionBytes / (1024 * 1024)} MiB of messages; older ones are dropped, as by retention");
            console.Error.WriteLine("% topics: 'kafkafast mock -t name:partitions' (the embedded brokers cannot create topics on request); producers create missing topics with 4 partitions");
            console.Error.WriteLine("% running; Ctrl+C to stop");
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }

            console.Error.WriteLine("% stopped");
            return 0;
        });
        return command;
    }

    private static (string Name, int Partitions) ParseTopic(string spec)
    {
        string[] parts = spec.Split(':');
        if (parts.Length > 2 || parts[0].Length == 0)
        {
            throw new UsageException($"--topic '{spec}': expected name[:partitions]");
        }

        int partitions = 6;
        if (parts.Length == 2 && (!int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out partitions) || partitions < 1))
        {
            throw new UsageException($"--topic '{spec}': partitions must be a positive number");
        }

        return (parts[0], partitions);
    }
}

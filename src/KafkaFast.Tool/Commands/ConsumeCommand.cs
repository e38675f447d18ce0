using System.CommandLine;
using System.Globalization;
using KafkaFast.Consumer;

namespace KafkaFast.Tool.Commands;

/// <summary>kafkafast consume: print a topic's messages, kcat style; pipe-friendly (a closed stdout ends it cleanly).</summary>
internal static class ConsumeCommand
{
    internal static Command Create(ToolConsole console)
    {
        var connection = new ConnectionOptions();
        var topic = new Option<string>("--topic", "-t") { Description = "Topic to consume", Required = true };
        var group = new Option<string?>("--group", "-g") { Description = "Consumer group (offsets committed); default: a fresh group, nothing committed" };
        var offset = new Option<string>("--offset", "-o") { Description = "Where to start: beginning, end, stored (the group's committed offsets), or an offset number", DefaultValueFactory = _ => "beginning" };
        var count = new Option<long>("--count", "-c") { Description = "Stop after this many messages (0: no limit)", DefaultValueFactory = _ => 0 };
        var exitAtEnd = new Option<bool>("--exit", "-e") { Description = "Stop when every partition has been read to its end" };
        var format = new Option<string>("--format", "-f") { Description = "value, key-value, json, or a format string (%t %p %o %k %s %T %h)", DefaultValueFactory = _ => "value" };
        var keyDelimiter = new Option<string>("--key-delimiter", "-K") { Description = "Between key and value for --format key-value", DefaultValueFactory = _ => "\t" };
        count.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<long>() < 0)
            {
                r.AddError("--count must not be negative");
            }
        });

        var command = new Command("consume", "Print a topic's messages (value, key+value, JSON with metadata, or a format string).");
        connection.AddTo(command);
        foreach (Option option in new Option[] { topic, group, offset, count, exitAtEnd, format, keyDelimiter })
        {
            command.Options.Add(option);
        }

        command.SetAction((parsed, cancellationToken) =>
        {
            Dictionary<string, string> properties = connection.ParseProperties(parsed);
            MessageFormatter formatter = MessageFormatter.Create(parsed.GetValue(format)!, parsed.GetValue(keyDelimiter)!);
            (AutoOffsetReset reset, long? absolute) = ParseOffset(parsed.GetValue(offset)!, parsed.GetValue(group) is not null);
            string topicName = parsed.GetValue(topic)!;
            using ClusterConnection cluster = ClusterConnection.Open(parsed.GetValue(connection.Bootstrap), console);
            cluster.EnsureTopic(topicName, 6);
            cluster.Embedded?.SetGroupInitialRebalanceDelay(TimeSpan.Zero);

            string? groupId = parsed.GetValue(group);
            var options = new KafkaConsumerOptions
            {
                BootstrapServers = cluster.BootstrapServers,
                GroupId = groupId ?? $"kafkafast-consume-{Guid.NewGuid():N}",
                AutoOffsetReset = reset,
                CommitMode = groupId is null ? CommitMode.Manual : CommitMode.Auto, // a throwaway group commits nothing
            };
            foreach ((string key, string value) in properties)
            {
                options.Properties[key] = value;
            }

            var run = new ConsumeRun(parsed.GetValue(count), parsed.GetValue(exitAtEnd), absolute, formatter, console);
            return Task.FromResult(run.Run(options, topicName, cancellationToken));
        });
        return command;
    }

    private static (AutoOffsetReset Reset, long? Absolute) ParseOffset(string offset, bool hasGroup) => offset switch
    {
        "beginning" => (AutoOffsetReset.Earliest, null),
        "end" => (AutoOffsetReset.Latest, null),
        "stored" when hasGroup => (AutoOffsetReset.Earliest, null),
        "stored" => throw new UsageException("--offset stored needs --group"),
        _ when long.TryParse(offset, NumberStyles.None, CultureInfo.InvariantCulture, out long absolute) => (AutoOffsetReset.Earliest, absolute),
        _ => throw new UsageException($"--offset '{offset}': expected beginning, end, stored or an offset number"),
    };

    /// <summary>One consume command: the read loop, end detection, output.</summary>
    private sealed class ConsumeRun(long count, bool exitAtEnd, long? absolute, MessageFormatter formatter, ToolConsole console)
    {
        private readonly Dictionary<TopicPartition, long> _ends = [];
        private readonly Dictionary<TopicPartition, long> _next = [];
        private readonly List<TopicPartition> _pendingSeeks = [];
        private long _printed;

        internal int Run(KafkaConsumerOptions options, string topic, CancellationToken cancellationToken)
        {
            using var consumer = new KafkaConsumer(options);
            consumer.Error += (_, e) => console.Error.WriteLine($"% {e}");
            consumer.PartitionsAssigned += (_, e) =>
            {
                foreach (TopicPartition partition in e.Partitions)
                {
                    if (absolute is not null)
                    {
                        _pendingSeeks.Add(partition); // seeking right at assignment can meet librdkafka's "erroneous state"
                    }

                    if (exitAtEnd)
                    {
                        WatermarkOffsets marks = consumer.QueryWatermarkOffsets(partition, TimeSpan.FromSeconds(10));
                        long first = absolute ?? (options.AutoOffsetReset == AutoOffsetReset.Latest ? marks.High : marks.Low);
                        if (absolute is null && options.CommitMode == CommitMode.Auto)
                        {
                            long committed = consumer.Committed([partition], TimeSpan.FromSeconds(10))[0].Offset;
                            first = committed >= 0 ? committed : first;
                        }

                        _ends[partition] = marks.High;
                        _next.TryAdd(partition, first);
                    }
                }
            };
            consumer.Subscribe(topic);
            try
            {
                while (!cancellationToken.IsCancellationRequested && !Done())
                {
                    SeekPending(consumer);
                    using ConsumedBatch batch = consumer.ConsumeBatch(1000, TimeSpan.FromMilliseconds(200));
                    for (int i = 0; i < batch.Count && !Done(); i++)
                    {
                        ConsumedMessage message = batch[i];
                        if (absolute is long start && message.Offset < start)
                        {
                            continue; // fetched before the seek took effect
                        }

                        formatter.Write(console.Out, message);
                        _printed++;
                        _next[new TopicPartition(message.Topic, message.Partition)] = message.Offset + 1;
                    }
                }

                console.Out.Flush();
            }
            catch (IOException)
            {
                // The reader of stdout went away (e.g. `| head`): stop quietly.
                return 0;
            }
            finally
            {
                consumer.Close();
            }

            console.Error.WriteLine($"% {_printed} messages");
            return 0;
        }

        private void SeekPending(KafkaConsumer consumer)
        {
            for (int i = _pendingSeeks.Count - 1; i >= 0; i--)
            {
                TopicPartition partition = _pendingSeeks[i];
                try
                {
                    consumer.Seek(new TopicPartitionOffset(partition.Topic, partition.Partition, absolute!.Value));
                    _pendingSeeks.RemoveAt(i);
                }
                catch (KafkaException e) when (e.Code == KafkaErrorCode.State)
                {
                    // Not fetching yet: try again on the next round.
                }
            }
        }

        private bool Done() =>
            (count > 0 && _printed >= count) ||
            (exitAtEnd && _ends.Count > 0 && _ends.All(end => _next.GetValueOrDefault(end.Key) >= end.Value));
    }
}

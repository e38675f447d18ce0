using System.Buffers;
using System.CommandLine;
using KafkaFast.Admin;
using KafkaFast.Consumer;
using KafkaFast.Tool.Io;

namespace KafkaFast.Tool.Commands;

/// <summary>
/// kafkafast consume: print a topic's messages byte for byte, kcat style. Without -g it reads the partitions directly
/// (no group, nothing committed) from where -o says; with -g it joins the group and resumes from its committed
/// offsets. Pipe-safe: it stops when the reader of its output goes away (<c>| head</c>), even while idle.
/// </summary>
internal static class ConsumeCommand
{
    internal static Command Create(ToolConsole console)
    {
        var connection = new ConnectionOptions();
        var topic = new Option<string>("--topic", "-t") { Description = "Topic to consume", Required = true };
        var group = new Option<string?>("--group", "-g") { Description = "Consumer group: join it and resume from (and commit) its offsets. Without it: read the partitions directly, commit nothing" };
        var partition = new Option<int[]>("--partition", "-p") { Description = "Only this partition (repeatable; without --group)", Arity = ArgumentArity.ZeroOrMore };
        var offset = new Option<string[]>("--offset", "-o")
        {
            Description = "Where to start: beginning (default), end, stored (with -g), an offset, -N (the last N of each partition), s@<ms> (first at/after a time); " +
                          "e@<ms> stops each partition at that time (may be given with a start)",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var count = new Option<long>("--count", "-c") { Description = "Stop after this many messages (0: no limit)", DefaultValueFactory = _ => 0 };
        var exitAtEnd = new Option<bool>("--exit", "-e") { Description = "Stop when every partition has been read to its end" };
        var format = new Option<string?>("--format", "-f") { Description = "value (default), key-value (default with -K), json, or a format string: %t %p %o %k %s %K %S %R %T %h (%R: value length, 4 bytes big-endian)" };
        var keyDelimiter = new Option<string?>("--key-delimiter", "-K") { Description = "Between key and value (format key-value; default \\t). Escapes \\n \\r \\t \\0 \\\\ \\xNN" };
        var delimiter = new Option<string>("--delimiter", "-D") { Description = "After each message (value, key-value, json). Default \\n", DefaultValueFactory = _ => "\\n" };
        var nulls = new Option<bool>("--print-null", "-Z") { Description = "Print null keys and values as NULL (JSON: always null)" };
        var timeout = Durations.TimeoutOption(TimeSpan.FromSeconds(10), "How long to wait for the cluster's metadata; with -e, for progress while errors repeat");
        count.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<long>() < 0)
            {
                r.AddError("--count must not be negative");
            }
        });

        var command = new Command("consume", "Print a topic's messages, byte for byte (value, key+value, JSON with metadata, or a format string).");
        connection.AddTo(command);
        foreach (Option option in new Option[] { topic, group, partition, offset, count, exitAtEnd, format, keyDelimiter, delimiter, nulls, timeout })
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parsed, cancellationToken) =>
        {
            Dictionary<string, string> properties = connection.ParseProperties(parsed);
            string? groupId = parsed.GetValue(group);
            ConsumeStart start = ConsumeStart.Parse(parsed.GetValue(offset) ?? [], groupId is not null);
            int[] onlyPartitions = parsed.GetValue(partition) ?? [];
            if (groupId is not null && onlyPartitions.Length > 0)
            {
                throw new UsageException("--partition reads partitions directly: it cannot be combined with --group (the group assigns partitions)");
            }

            string? keyText = parsed.GetValue(keyDelimiter);
            string formatText = parsed.GetValue(format) ?? (keyText is null ? "value" : "key-value");
            MessageFormatter formatter = MessageFormatter.Create(formatText, Escapes.Parse(keyText ?? "\\t", "--key-delimiter"),
                Escapes.Parse(parsed.GetValue(delimiter)!, "--delimiter"), parsed.GetValue(nulls));
            string topicName = parsed.GetValue(topic)!;
            TimeSpan wait = parsed.GetValue(timeout);

            using ClusterConnection cluster = ClusterConnection.Open(parsed.GetValue(connection.Bootstrap), console);
            cluster.EnsureTopic(topicName, 6);
            cluster.Embedded?.SetGroupInitialRebalanceDelay(TimeSpan.Zero);
            int[] partitions;
            using (var admin = ClusterTopics.Admin(cluster.BootstrapServers, properties, wait))
            {
                partitions = await ClusterTopics.PartitionsAsync(admin, cluster.BootstrapServers, topicName, cancellationToken).ConfigureAwait(false);
            }

            foreach (int p in onlyPartitions)
            {
                if (!partitions.Contains(p))
                {
                    throw new CommandFailedException($"topic '{topicName}' has no partition {p} (it has {partitions.Length}: 0..{partitions.Length - 1})");
                }
            }

            var options = new KafkaConsumerOptions
            {
                BootstrapServers = cluster.BootstrapServers,
                GroupId = groupId ?? string.Empty,
                AutoOffsetReset = start.Kind == ConsumeStartKind.End ? AutoOffsetReset.Latest : AutoOffsetReset.Earliest,
                CommitMode = groupId is null ? CommitMode.Manual : CommitMode.Auto,
            };
            foreach ((string key, string value) in properties)
            {
                options.Properties[key] = value;
            }

            var settings = new ConsumeSettings(topicName, onlyPartitions.Length > 0 ? onlyPartitions : partitions, start, parsed.GetValue(count), parsed.GetValue(exitAtEnd), wait);
            return new ConsumeRun(settings, formatter, console).Run(options, cancellationToken);
        });
        return command;
    }

    /// <summary>What one consume command was asked to do.</summary>
    private sealed record ConsumeSettings(string Topic, int[] Partitions, ConsumeStart Start, long Count, bool ExitAtEnd, TimeSpan Timeout);

    /// <summary>One consume command: positions, the read loop, end detection, output, errors.</summary>
    private sealed class ConsumeRun(ConsumeSettings settings, MessageFormatter formatter, ToolConsole console)
    {
        /// <summary>Per partition read: the offset to reach for -e (high watermark at start), and the next offset to read.</summary>
        private readonly Dictionary<TopicPartition, (long End, long Next)> _positions = [];

        /// <summary>Partitions with nothing more to print (-e reached the end, or e@ reached its time).</summary>
        private readonly HashSet<TopicPartition> _finished = [];

        private readonly HashSet<string> _errorsShown = new(StringComparer.Ordinal);
        private readonly ArrayBufferWriter<byte> _buffer = new(64 * 1024);

        /// <summary>Group mode: the next offset after each message printed in this batch, stored once it is written.</summary>
        private readonly List<TopicPartitionOffset> _toStore = [];
        private long _printed;
        private string? _lastError;
        private DateTime _lastProgress = DateTime.UtcNow;

        internal int Run(KafkaConsumerOptions options, CancellationToken cancellationToken)
        {
            using var consumer = new KafkaConsumer(options);
            consumer.Error += (_, e) => ShowError($"{e.Code}: {e.Reason}");
            bool hasGroup = options.GroupId.Length > 0;
            if (hasGroup)
            {
                consumer.PartitionsAssigned += (_, e) => Track(consumer, e.Partitions, committed: true);
                consumer.PartitionsRevoked += (_, e) => Untrack(e.Partitions);
                consumer.Subscribe(settings.Topic);
            }
            else
            {
                TopicPartition[] partitions = [.. settings.Partitions.Select(p => new TopicPartition(settings.Topic, p))];
                consumer.Assign(StartOffsets(consumer, partitions));
            }

            int exitCode = 0;
            try
            {
                exitCode = Loop(consumer, hasGroup, cancellationToken);
            }
            catch (IOException)
            {
                // The reader of standard output went away (| head): stop quietly, as kcat does.
                return 0;
            }
            catch (KafkaException e)
            {
                console.Error.WriteLine($"error: {e.Code}: {e.Message}");
                exitCode = 1;
            }
            finally
            {
                consumer.Dispose();
            }

            console.Error.WriteLine($"% {_printed} messages");
            return exitCode;
        }

        private int Loop(KafkaConsumer consumer, bool hasGroup, CancellationToken cancellationToken)
        {
            while (!cancellationToken.IsCancellationRequested && !Done(hasGroup))
            {
                if (console.OutputClosed)
                {
                    throw new IOException("The reader of standard output went away.");
                }

                using ConsumedBatch batch = consumer.ConsumeBatch(1000, TimeSpan.FromMilliseconds(200));
                _buffer.ResetWrittenCount();
                foreach (ConsumedMessage message in batch)
                {
                    var tp = new TopicPartition(message.Topic, message.Partition);
                    if (_finished.Contains(tp) || (settings.Count > 0 && _printed >= settings.Count))
                    {
                        continue;
                    }

                    Advance(tp, message.Offset + 1);
                    if (settings.Start.StopBefore is long stop && message.Timestamp.UnixTimeMilliseconds >= stop)
                    {
                        _finished.Add(tp); // e@: this message and the rest of the partition are past the stop time
                        continue;
                    }

                    formatter.Write(_buffer, message);
                    _printed++;
                    _toStore.Add(message.TopicPartitionOffset with { Offset = message.Offset + 1 });
                }

                if (_buffer.WrittenCount > 0)
                {
                    console.Output.Write(_buffer.WrittenSpan);
                    console.Output.Flush();
                }

                if (hasGroup && _toStore.Count > 0)
                {
                    // Printed is processed: store exactly what was printed, so Close commits it (not the messages -c or e@ left out).
                    consumer.StoreOffsets(_toStore);
                }

                _toStore.Clear();

                if (batch.Count > 0)
                {
                    _lastProgress = DateTime.UtcNow;
                }
                else if (settings.ExitAtEnd)
                {
                    CatchUpWithPositions(consumer);
                    if (_lastError is not null && DateTime.UtcNow - _lastProgress > settings.Timeout && !Done(hasGroup))
                    {
                        console.Error.WriteLine($"error: no progress for {Durations.Format(settings.Timeout)} before the end of the partitions; last error: {_lastError}");
                        return 1;
                    }
                }
            }

            return 0;
        }

        /// <summary>Start offsets for reading without a group, from -o; also records each partition's end for -e.</summary>
        private List<TopicPartitionOffset> StartOffsets(KafkaConsumer consumer, TopicPartition[] partitions)
        {
            IReadOnlyList<TopicPartitionOffset>? atTime = settings.Start.Kind == ConsumeStartKind.Timestamp
                ? consumer.OffsetsForTimes(partitions, DateTimeOffset.FromUnixTimeMilliseconds(settings.Start.Value), settings.Timeout)
                : null;
            var offsets = new List<TopicPartitionOffset>(partitions.Length);
            foreach (TopicPartition partition in partitions)
            {
                WatermarkOffsets marks = consumer.QueryWatermarkOffsets(partition, settings.Timeout);
                long first = settings.Start.Kind switch
                {
                    ConsumeStartKind.End => marks.High,
                    ConsumeStartKind.Absolute => Math.Clamp(settings.Start.Value, marks.Low, marks.High),
                    ConsumeStartKind.FromEnd => Math.Max(marks.Low, marks.High - settings.Start.Value),
                    ConsumeStartKind.Timestamp => atTime!.First(o => o.TopicPartition == partition).Offset is long o and >= 0 ? Math.Max(o, marks.Low) : marks.High,
                    _ => marks.Low,
                };
                offsets.Add(new TopicPartitionOffset(partition, first));
                Start(partition, marks.High, first);
            }

            return offsets;
        }

        /// <summary>Group mode: partitions just assigned start at the committed offset (or the reset position).</summary>
        private void Track(KafkaConsumer consumer, IReadOnlyList<TopicPartition> partitions, bool committed)
        {
            IReadOnlyList<TopicPartitionOffset> offsets = committed ? consumer.Committed(partitions, settings.Timeout) : [];
            foreach (TopicPartition partition in partitions)
            {
                WatermarkOffsets marks = consumer.QueryWatermarkOffsets(partition, settings.Timeout);
                long stored = offsets.FirstOrDefault(o => o.TopicPartition == partition).Offset;
                long first = stored >= 0 ? stored : settings.Start.Kind == ConsumeStartKind.End ? marks.High : marks.Low;
                Start(partition, marks.High, first);
            }
        }

        private void Untrack(IReadOnlyList<TopicPartition> partitions)
        {
            foreach (TopicPartition partition in partitions)
            {
                _positions.Remove(partition);
                _finished.Remove(partition);
            }
        }

        private void Start(TopicPartition partition, long end, long first)
        {
            _positions[partition] = (end, first);
            if (settings.ExitAtEnd && first >= end)
            {
                _finished.Add(partition);
            }
        }

        private void Advance(TopicPartition partition, long next)
        {
            if (_positions.TryGetValue(partition, out var position))
            {
                _positions[partition] = (position.End, Math.Max(position.Next, next));
                if (settings.ExitAtEnd && next >= position.End)
                {
                    _finished.Add(partition);
                }
            }
        }

        /// <summary>While idle with -e: positions move past records never delivered (transaction markers), so the end is still reached.</summary>
        private void CatchUpWithPositions(KafkaConsumer consumer)
        {
            TopicPartition[] open = [.. _positions.Keys.Where(p => !_finished.Contains(p))];
            if (open.Length == 0)
            {
                return;
            }

            foreach (TopicPartitionOffset position in consumer.Position(open))
            {
                if (position.Offset >= 0)
                {
                    Advance(position.TopicPartition, position.Offset);
                }
            }
        }

        private bool Done(bool hasGroup) =>
            (settings.Count > 0 && _printed >= settings.Count) ||
            ((settings.ExitAtEnd || settings.Start.StopBefore is not null) && (_positions.Count > 0 || !hasGroup) && _positions.Keys.All(_finished.Contains));

        /// <summary>Each distinct error once (librdkafka repeats connection errors every few seconds).</summary>
        private void ShowError(string error)
        {
            _lastError = error;
            if (_errorsShown.Add(error))
            {
                console.Error.WriteLine($"% error: {error}");
            }
        }
    }
}

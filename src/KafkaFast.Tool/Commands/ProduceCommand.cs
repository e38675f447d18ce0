using System.CommandLine;
using System.Diagnostics;
using System.Text;
using KafkaFast.Producer;

namespace KafkaFast.Tool.Commands;

/// <summary>kafkafast produce: lines from files or stdin to a topic, kcat style; a summary at the end, exit 1 if anything failed.</summary>
internal static class ProduceCommand
{
    internal static Command Create(ToolConsole console)
    {
        var connection = new ConnectionOptions();
        var topic = new Option<string>("--topic", "-t") { Description = "Topic to produce to", Required = true };
        var keyDelimiter = new Option<string?>("--key-delimiter", "-K") { Description = "Split each line into key and value at the first occurrence of this delimiter" };
        var headers = new Option<string[]>("--header", "-H") { Description = "A header for every message, name=value (repeatable)", Arity = ArgumentArity.ZeroOrMore };
        var partition = new Option<int>("--partition", "-p") { Description = "Partition (default: the partitioner's choice)", DefaultValueFactory = _ => KafkaPartition.Any };
        var files = new Argument<string[]>("files") { Description = "Files to read lines from ('-' or none: standard input)", Arity = ArgumentArity.ZeroOrMore };

        var command = new Command("produce", "Produce lines (from files or standard input) to a topic; one message per line.");
        connection.AddTo(command);
        command.Options.Add(topic);
        command.Options.Add(keyDelimiter);
        command.Options.Add(headers);
        command.Options.Add(partition);
        command.Arguments.Add(files);
        command.SetAction(async (parsed, cancellationToken) =>
        {
            Dictionary<string, string> properties = connection.ParseProperties(parsed);
            KafkaHeader[] messageHeaders = ParseHeaders(parsed.GetValue(headers) ?? []);
            string? delimiter = parsed.GetValue(keyDelimiter);
            if (delimiter is { Length: 0 })
            {
                throw new UsageException("--key-delimiter must not be empty");
            }

            string[] inputs = parsed.GetValue(files) is { Length: > 0 } f ? f : ["-"];
            foreach (string file in inputs)
            {
                if (file != "-" && !File.Exists(file))
                {
                    throw new UsageException($"no such file: {file}");
                }
            }

            using ClusterConnection cluster = ClusterConnection.Open(parsed.GetValue(connection.Bootstrap), console);
            var options = new KafkaProducerOptions { BootstrapServers = cluster.BootstrapServers };
            foreach ((string key, string value) in properties)
            {
                options.Properties[key] = value;
            }

            await using var producer = new KafkaProducer(options);
            KafkaTopic target = producer.GetTopic(parsed.GetValue(topic)!);
            int chosenPartition = parsed.GetValue(partition);
            var run = new ProduceRun(producer, target, messageHeaders, chosenPartition, delimiter, console);
            foreach (string file in inputs)
            {
                using TextReader reader = file == "-" ? console.In : new StreamReader(file, Encoding.UTF8);
                await run.ProduceLinesAsync(reader, cancellationToken).ConfigureAwait(false);
            }

            return await run.FinishAsync().ConfigureAwait(false);
        });
        return command;
    }

    private static KafkaHeader[] ParseHeaders(string[] specs) =>
        specs.Select(spec =>
        {
            int equals = spec.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new UsageException($"--header '{spec}': expected name=value");
            }

            return new KafkaHeader(spec[..equals], Encoding.UTF8.GetBytes(spec[(equals + 1)..]));
        }).ToArray();

    /// <summary>State of one produce command: counts, progress line, final summary.</summary>
    private sealed class ProduceRun(KafkaProducer producer, KafkaTopic topic, KafkaHeader[] headers, int partition, string? delimiter, ToolConsole console)
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private long _lines;
        private long _nextProgress = 1000;

        internal async Task ProduceLinesAsync(TextReader reader, CancellationToken cancellationToken)
        {
            while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
            {
                ReadOnlyMemory<char> key = default, value = line.AsMemory();
                if (delimiter is not null)
                {
                    int at = line.IndexOf(delimiter, StringComparison.Ordinal);
                    if (at >= 0)
                    {
                        key = line.AsMemory(0, at);
                        value = line.AsMemory(at + delimiter.Length);
                    }
                }

                if (!producer.TryProduce(topic, key.Span, value.Span, headers, partition))
                {
                    // Budget full: wait for space instead of dropping a line.
                    var message = new ProducerMessage(Encoding.UTF8.GetBytes(key.ToArray()), Encoding.UTF8.GetBytes(value.ToArray())) { Headers = headers, Partition = partition };
                    while (!await producer.EnqueueAsync(topic, message, TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false))
                    {
                    }
                }

                _lines++;
                if (_clock.ElapsedMilliseconds >= _nextProgress)
                {
                    _nextProgress = _clock.ElapsedMilliseconds + 1000;
                    ProducerStatistics s = producer.GetStatistics();
                    console.Error.WriteLine($"% {_lines} lines read, {s.Delivered} delivered, {s.Failed} failed, {s.InFlight} in flight");
                }
            }
        }

        internal async Task<int> FinishAsync()
        {
            long left = await producer.FlushAsync(producer.Options.MessageTimeout + TimeSpan.FromSeconds(5)).ConfigureAwait(false);
            ProducerStatistics s = producer.GetStatistics();
            console.Error.WriteLine($"% {s.Delivered} delivered, {s.Failed} failed{(left > 0 ? $", {left} still in flight" : "")} ({_lines} lines, {_clock.Elapsed.TotalSeconds:0.00} s)");
            foreach ((KafkaErrorCode code, long count) in s.FailedByError.OrderByDescending(e => e.Value))
            {
                console.Error.WriteLine($"%   {count} failed: {code}");
            }

            return s.Failed == 0 && left == 0 ? 0 : 1;
        }
    }
}

using System.CommandLine;
using System.Diagnostics;
using System.Text;
using KafkaFast.Producer;
using KafkaFast.Tool.Io;

namespace KafkaFast.Tool.Commands;

/// <summary>
/// kafkafast produce: messages from standard input or files to a topic, byte for byte, kcat style: delimited (-D,
/// newline by default; -K splits key from value) or length-prefixed (binary payloads); each file is one message
/// unless -l. A summary at the end; exit 1 if anything failed.
/// </summary>
internal static class ProduceCommand
{
    internal static Command Create(ToolConsole console)
    {
        var connection = new ConnectionOptions();
        var topic = new Option<string>("--topic", "-t") { Description = "Topic to produce to", Required = true };
        var keyDelimiter = new Option<string?>("--key-delimiter", "-K") { Description = "Split each message into key and value at the first occurrence of this delimiter (escapes: \\n \\r \\t \\0 \\\\ \\xNN); a message without it has a null key" };
        var fixedKey = new Option<string?>("--key", "-k") { Description = "The key of every message that has none of its own (UTF-8, escapes as -K)" };
        var delimiter = new Option<string>("--delimiter", "-D") { Description = "Message delimiter (escapes as -K). Default \\n: one message per line, \\r kept", DefaultValueFactory = _ => "\\n" };
        var lengthPrefixed = new Option<bool>("--length-prefixed") { Description = "Binary input: each message is a 4-byte big-endian signed length, then that many bytes (-1: a null value). For Avro/Protobuf streams" };
        var lines = new Option<bool>("--lines", "-l") { Description = "Read files like standard input (delimited); without it each file is one message" };
        var nulls = new Option<bool>("--null-empty", "-Z") { Description = "Send an empty key or value (after -K splits it) as null: a null value is a tombstone" };
        var headers = new Option<string[]>("--header", "-H") { Description = "A header for every message, name=value (repeatable)", Arity = ArgumentArity.ZeroOrMore };
        var partition = new Option<int>("--partition", "-p") { Description = "Partition (default: the partitioner's choice)", DefaultValueFactory = _ => KafkaPartition.Any };
        var files = new Argument<string[]>("files") { Description = "Files to produce ('-' or none: standard input)", Arity = ArgumentArity.ZeroOrMore };

        var command = new Command("produce", "Produce messages from standard input (one per line by default) or files (one per file) to a topic, byte for byte.");
        connection.AddTo(command);
        foreach (Option option in new Option[] { topic, keyDelimiter, fixedKey, delimiter, lengthPrefixed, lines, nulls, headers, partition })
        {
            command.Options.Add(option);
        }

        command.Arguments.Add(files);
        command.SetAction(async (parsed, cancellationToken) =>
        {
            Dictionary<string, string> properties = connection.ParseProperties(parsed);
            KafkaHeader[] messageHeaders = ParseHeaders(parsed.GetValue(headers) ?? []);
            bool binary = parsed.GetValue(lengthPrefixed);
            byte[]? keySeparator = parsed.GetValue(keyDelimiter) is { } k ? Escapes.Parse(k, "--key-delimiter") : null;
            byte[] messageDelimiter = Escapes.Parse(parsed.GetValue(delimiter)!, "--delimiter");
            if (keySeparator is { Length: 0 } || messageDelimiter.Length == 0)
            {
                throw new UsageException(keySeparator is { Length: 0 } ? "--key-delimiter must not be empty" : "--delimiter must not be empty");
            }

            if (binary && keySeparator is not null)
            {
                throw new UsageException("--key-delimiter splits delimited messages; with --length-prefixed use --key for a key");
            }

            string[] inputs = parsed.GetValue(files) is { Length: > 0 } f ? f : ["-"];
            foreach (string file in inputs)
            {
                if (file != "-" && !File.Exists(file))
                {
                    throw new UsageException($"no such file: {file}");
                }
            }

            var framing = new Framing(binary ? null : messageDelimiter, keySeparator,
                parsed.GetValue(fixedKey) is { } fixedText ? Escapes.Parse(fixedText, "--key") : null, parsed.GetValue(nulls));

            using ClusterConnection cluster = ClusterConnection.Open(parsed.GetValue(connection.Bootstrap), console);
            var options = new KafkaProducerOptions { BootstrapServers = cluster.BootstrapServers };
            foreach ((string key, string value) in properties)
            {
                options.Properties[key] = value;
            }

            await using var producer = new KafkaProducer(options);
            KafkaTopic target = producer.GetTopic(parsed.GetValue(topic)!);
            console.Error.WriteLine($"% producing to '{target.Name}' ({target.PartitionCount} partitions) at {cluster.BootstrapServers}");
            var run = new ProduceRun(producer, target, messageHeaders, parsed.GetValue(partition), framing, console);
            foreach (string file in inputs)
            {
                if (file == "-")
                {
                    await run.ProduceStreamAsync(console.Input, "standard input", cancellationToken).ConfigureAwait(false);
                }
                else if (parsed.GetValue(lines) || binary)
                {
                    await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1, useAsync: true);
                    await run.ProduceStreamAsync(stream, file, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await run.ProduceFileAsync(file, cancellationToken).ConfigureAwait(false);
                }
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

    /// <summary>How input bytes become messages.</summary>
    /// <param name="Delimiter">Between messages; null: length-prefixed.</param>
    /// <param name="KeySeparator">Between key and value inside a message; null: no key in the message.</param>
    /// <param name="FixedKey">The key of messages without one of their own.</param>
    /// <param name="EmptyIsNull">-Z: an empty key or value (once split) is null.</param>
    private sealed record Framing(byte[]? Delimiter, byte[]? KeySeparator, byte[]? FixedKey, bool EmptyIsNull);

    /// <summary>State of one produce command: counts, progress line, final summary.</summary>
    private sealed class ProduceRun(KafkaProducer producer, KafkaTopic topic, KafkaHeader[] headers, int partition, Framing framing, ToolConsole console)
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private long _messages;
        private long _nextProgress = 1000;

        internal async Task ProduceStreamAsync(Stream input, string source, CancellationToken cancellationToken)
        {
            var reader = new MessageReader(input, framing.Delimiter, source);
            while (await reader.ReadNextAsync(cancellationToken).ConfigureAwait(false))
            {
                if (!TrySend(reader.Current, reader.CurrentIsNull))
                {
                    await SendWhenSpaceAsync(Split(reader.Current, reader.CurrentIsNull), cancellationToken).ConfigureAwait(false);
                }
            }
        }

        /// <summary>A whole file as one message (kcat without -l): e.g. one Avro or Protobuf record.</summary>
        internal async Task ProduceFileAsync(string file, CancellationToken cancellationToken)
        {
            byte[] content = await File.ReadAllBytesAsync(file, cancellationToken).ConfigureAwait(false);
            if (!TrySend(content, isNull: false))
            {
                await SendWhenSpaceAsync(Split(content, isNull: false), cancellationToken).ConfigureAwait(false);
            }
        }

        internal async Task<int> FinishAsync()
        {
            long left = await producer.FlushAsync(producer.Options.MessageTimeout + TimeSpan.FromSeconds(5)).ConfigureAwait(false);
            ProducerStatistics s = producer.GetStatistics();
            console.Error.WriteLine($"% {s.Delivered} delivered, {s.Failed} failed{(left > 0 ? $", {left} still in flight" : "")} ({_messages} messages, {_clock.Elapsed.TotalSeconds:0.00} s)");
            foreach ((KafkaErrorCode code, long count) in s.FailedByError.OrderByDescending(e => e.Value))
            {
                console.Error.WriteLine($"%   {count} failed: {code}");
            }

            return s.Failed == 0 && left == 0 ? 0 : 1;
        }

        /// <summary>
        /// Produces without waiting; false when the budget is full (the caller waits for space), or for a message
        /// with neither key nor value (only a <see cref="ProducerMessage"/> says both are null: the caller's path).
        /// </summary>
        private bool TrySend(ReadOnlySpan<byte> message, bool isNull)
        {
            (int keyStart, int keyLength, bool keyIsNull, int valueStart, bool valueIsNull) = Locate(message, isNull);
            bool noKey = keyIsNull && framing.FixedKey is null;
            ReadOnlySpan<byte> key = keyIsNull ? framing.FixedKey : message.Slice(keyStart, keyLength);
            bool accepted = (noKey, valueIsNull) switch
            {
                (false, false) => producer.TryProduce(topic, key, message[valueStart..], headers, partition),
                (true, false) => producer.TryProduce(topic, message[valueStart..], headers, partition),
                (false, true) => producer.TryProduceTombstone(topic, key, headers, partition),
                (true, true) => false,
            };
            if (!accepted)
            {
                return false;
            }

            Produced();
            return true;
        }

        private async ValueTask SendWhenSpaceAsync(ProducerMessage message, CancellationToken cancellationToken)
        {
            while (!await producer.EnqueueAsync(topic, message, TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false))
            {
                // Budget full: wait for space rather than drop a message.
            }

            Produced();
        }

        private ProducerMessage Split(ReadOnlySpan<byte> message, bool isNull)
        {
            (int keyStart, int keyLength, bool keyIsNull, int valueStart, bool valueIsNull) = Locate(message, isNull);
            byte[] key = keyIsNull ? framing.FixedKey ?? [] : message.Slice(keyStart, keyLength).ToArray();
            return new ProducerMessage(key, valueIsNull ? [] : message[valueStart..].ToArray())
            {
                Headers = headers,
                Partition = partition,
                IsKeyNull = keyIsNull && framing.FixedKey is null,
                IsValueNull = valueIsNull,
            };
        }

        /// <summary>Where key and value lie in a message (kcat's rules), and which of them is null.</summary>
        private (int KeyStart, int KeyLength, bool KeyIsNull, int ValueStart, bool ValueIsNull) Locate(ReadOnlySpan<byte> message, bool isNull)
        {
            if (framing.KeySeparator is null || isNull)
            {
                return (0, 0, true, 0, isNull || (framing.EmptyIsNull && message.IsEmpty));
            }

            int at = message.IndexOf(framing.KeySeparator);
            if (at < 0)
            {
                return (0, 0, true, 0, framing.EmptyIsNull && message.IsEmpty); // no separator: no key (kcat)
            }

            int valueStart = at + framing.KeySeparator.Length;
            return (0, at, framing.EmptyIsNull && at == 0, valueStart, framing.EmptyIsNull && valueStart == message.Length);
        }

        private void Produced()
        {
            _messages++;
            if (_clock.ElapsedMilliseconds >= _nextProgress)
            {
                _nextProgress = _clock.ElapsedMilliseconds + 1000;
                ProducerStatistics s = producer.GetStatistics();
                console.Error.WriteLine($"% {_messages} messages read, {s.Delivered} delivered, {s.Failed} failed, {s.InFlight} in flight");
            }
        }
    }
}

using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using KafkaFast.Consumer;

namespace KafkaFast.Tool.Commands;

/// <summary>How kafkafast consume prints a message: value, key+value, JSON with metadata, or a kcat-style format string.</summary>
internal sealed class MessageFormatter
{
    private readonly string _mode;
    private readonly string _delimiter;
    private readonly ArrayBufferWriter<byte> _json = new();

    private MessageFormatter(string mode, string delimiter)
    {
        _mode = mode;
        _delimiter = delimiter;
    }

    /// <summary>
    /// <paramref name="format"/>: "value", "key-value", "json", or a format string with %t topic, %p partition,
    /// %o offset, %k key, %s value, %T timestamp (ms), %h headers (name=value,...), %% and \n \t escapes.
    /// </summary>
    internal static MessageFormatter Create(string format, string delimiter)
    {
        if (format is "value" or "key-value" or "json")
        {
            return new MessageFormatter(format, delimiter);
        }

        if (!format.Contains('%', StringComparison.Ordinal))
        {
            throw new UsageException($"--format '{format}': expected value, key-value, json, or a format string with %t %p %o %k %s %T %h");
        }

        return new MessageFormatter(format.Replace("\\n", "\n", StringComparison.Ordinal).Replace("\\t", "\t", StringComparison.Ordinal), delimiter);
    }

    internal void Write(TextWriter output, in ConsumedMessage message)
    {
        switch (_mode)
        {
            case "value":
                output.WriteLine(Encoding.UTF8.GetString(message.Value));
                break;
            case "key-value":
                output.Write(Encoding.UTF8.GetString(message.Key));
                output.Write(_delimiter);
                output.WriteLine(Encoding.UTF8.GetString(message.Value));
                break;
            case "json":
                WriteJson(output, message);
                break;
            default:
                WriteFormatted(output, message);
                break;
        }
    }

    private void WriteJson(TextWriter output, in ConsumedMessage message)
    {
        _json.ResetWrittenCount();
        using (var json = new Utf8JsonWriter(_json))
        {
            json.WriteStartObject();
            json.WriteString("topic", message.Topic);
            json.WriteNumber("partition", message.Partition);
            json.WriteNumber("offset", message.Offset);
            json.WriteNumber("timestamp", message.Timestamp.UnixTimeMilliseconds);
            json.WriteString("timestampType", message.Timestamp.Type.ToString());
            if (message.Key.IsEmpty)
            {
                json.WriteNull("key");
            }
            else
            {
                json.WriteString("key", Encoding.UTF8.GetString(message.Key));
            }

            json.WriteString("value", Encoding.UTF8.GetString(message.Value));
            json.WriteStartArray("headers");
            ConsumedHeaders headers = message.Headers;
            for (int i = 0; i < headers.Count; i++)
            {
                ConsumedHeader header = headers[i];
                json.WriteStartObject();
                json.WriteString("key", header.Name);
                json.WriteString("value", Encoding.UTF8.GetString(header.Value));
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        output.WriteLine(Encoding.UTF8.GetString(_json.WrittenSpan));
    }

    private void WriteFormatted(TextWriter output, in ConsumedMessage message)
    {
        var line = new StringBuilder();
        for (int i = 0; i < _mode.Length; i++)
        {
            char c = _mode[i];
            if (c != '%' || i + 1 == _mode.Length)
            {
                line.Append(c);
                continue;
            }

            char token = _mode[++i];
            switch (token)
            {
                case 't': line.Append(message.Topic); break;
                case 'p': line.Append(message.Partition.ToString(CultureInfo.InvariantCulture)); break;
                case 'o': line.Append(message.Offset.ToString(CultureInfo.InvariantCulture)); break;
                case 'k': line.Append(Encoding.UTF8.GetString(message.Key)); break;
                case 's': line.Append(Encoding.UTF8.GetString(message.Value)); break;
                case 'T': line.Append(message.Timestamp.UnixTimeMilliseconds.ToString(CultureInfo.InvariantCulture)); break;
                case 'h':
                    ConsumedHeaders headers = message.Headers;
                    for (int h = 0; h < headers.Count; h++)
                    {
                        line.Append(h == 0 ? "" : ",").Append(headers[h].Name).Append('=').Append(Encoding.UTF8.GetString(headers[h].Value));
                    }

                    break;
                case '%': line.Append('%'); break;
                default: line.Append('%').Append(token); break;
            }
        }

        output.Write(line.ToString());
    }
}

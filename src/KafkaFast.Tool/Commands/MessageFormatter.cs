using System.Buffers;
using System.Buffers.Binary;
using System.Buffers.Text;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;
using KafkaFast.Consumer;
using KafkaFast.Tool.Io;

namespace KafkaFast.Tool.Commands;

/// <summary>
/// How kafkafast consume writes a message: as bytes, exactly as stored (invalid UTF-8, "\r" and binary payloads pass
/// through unchanged). Modes: the value, key + delimiter + value, a JSON object per message, or a kcat-style format
/// string. Null keys and values print as nothing, or as "NULL" with -Z (JSON: null).
/// </summary>
internal sealed class MessageFormatter
{
    private static readonly byte[] s_null = "NULL"u8.ToArray();

    private readonly Mode _mode;
    private readonly Token[] _tokens = [];
    private readonly byte[] _keyDelimiter;
    private readonly byte[] _delimiter;
    private readonly bool _printNull;

    /// <summary>Readable JSON: non-ASCII text as it is (still valid JSON), not \u escapes.</summary>
    private static readonly JsonWriterOptions s_jsonOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private MessageFormatter(Mode mode, Token[] tokens, byte[] keyDelimiter, byte[] delimiter, bool printNull)
    {
        _mode = mode;
        _tokens = tokens;
        _keyDelimiter = keyDelimiter;
        _delimiter = delimiter;
        _printNull = printNull;
    }

    private enum Mode
    {
        Value,
        KeyValue,
        Json,
        Format,
    }

    /// <summary>
    /// <paramref name="format"/>: "value", "key-value", "json", or a format string: %t topic, %p partition, %o offset,
    /// %k key, %s value, %K key length, %S value length (-1: null), %R value length as 4 bytes big-endian (binary
    /// framing, -1: null), %T timestamp (ms), %h headers (name=value,...), %% and escapes \n \r \t \0 \\ \xNN.
    /// </summary>
    internal static MessageFormatter Create(string format, byte[] keyDelimiter, byte[] delimiter, bool printNull)
    {
        switch (format)
        {
            case "value": return new MessageFormatter(Mode.Value, [], keyDelimiter, delimiter, printNull);
            case "key-value": return new MessageFormatter(Mode.KeyValue, [], keyDelimiter, delimiter, printNull);
            case "json": return new MessageFormatter(Mode.Json, [], keyDelimiter, delimiter, printNull);
        }

        if (!format.Contains('%', StringComparison.Ordinal))
        {
            throw new UsageException($"--format '{format}': expected value, key-value, json, or a format string with %t %p %o %k %s %K %S %R %T %h");
        }

        return new MessageFormatter(Mode.Format, Parse(format), keyDelimiter, delimiter, printNull);
    }

    /// <summary>Appends the message's bytes to <paramref name="output"/>.</summary>
    internal void Write(IBufferWriter<byte> output, in ConsumedMessage message)
    {
        switch (_mode)
        {
            case Mode.Value:
                WriteNullable(output, message.Value, message.IsValueNull);
                output.Write(_delimiter);
                break;
            case Mode.KeyValue:
                WriteNullable(output, message.Key, message.IsKeyNull);
                output.Write(_keyDelimiter);
                WriteNullable(output, message.Value, message.IsValueNull);
                output.Write(_delimiter);
                break;
            case Mode.Json:
                WriteJson(output, message);
                output.Write(_delimiter);
                break;
            default:
                WriteFormatted(output, message);
                break;
        }
    }

    private void WriteNullable(IBufferWriter<byte> output, ReadOnlySpan<byte> bytes, bool isNull)
    {
        if (isNull)
        {
            if (_printNull)
            {
                output.Write(s_null);
            }

            return;
        }

        output.Write(bytes);
    }

    /// <summary>
    /// One JSON object. Keys, values and header values that are valid UTF-8 are strings; others are base64, flagged
    /// by "keyEncoding"/"valueEncoding"/"encoding": "base64", so nothing is lost or replaced.
    /// </summary>
    private static void WriteJson(IBufferWriter<byte> output, in ConsumedMessage message)
    {
        using var json = new Utf8JsonWriter(output, s_jsonOptions);
        json.WriteStartObject();
        json.WriteString("topic", message.Topic);
        json.WriteNumber("partition", message.Partition);
        json.WriteNumber("offset", message.Offset);
        json.WriteNumber("timestamp", message.Timestamp.UnixTimeMilliseconds);
        json.WriteString("timestampType", message.Timestamp.Type.ToString());
        WriteJsonBytes(json, "key", "keyEncoding", message.Key, message.IsKeyNull);
        WriteJsonBytes(json, "value", "valueEncoding", message.Value, message.IsValueNull);
        json.WriteStartArray("headers");
        foreach (ConsumedHeader header in message.Headers)
        {
            json.WriteStartObject();
            json.WriteString("key", header.Name);
            WriteJsonBytes(json, "value", "encoding", header.Value, header.IsValueNull);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteJsonBytes(Utf8JsonWriter json, string name, string encodingName, ReadOnlySpan<byte> bytes, bool isNull)
    {
        if (isNull)
        {
            json.WriteNull(name);
        }
        else if (Utf8.IsValid(bytes))
        {
            json.WriteString(name, bytes);
        }
        else
        {
            json.WriteBase64String(name, bytes);
            json.WriteString(encodingName, "base64");
        }
    }

    private void WriteFormatted(IBufferWriter<byte> output, in ConsumedMessage message)
    {
        foreach (Token token in _tokens)
        {
            switch (token.Kind)
            {
                case 't': output.Write(message.TopicUtf8); break;
                case 'p': WriteNumber(output, message.Partition); break;
                case 'o': WriteNumber(output, message.Offset); break;
                case 'k': WriteNullable(output, message.Key, message.IsKeyNull); break;
                case 's': WriteNullable(output, message.Value, message.IsValueNull); break;
                case 'K': WriteNumber(output, message.IsKeyNull ? -1 : message.Key.Length); break;
                case 'S': WriteNumber(output, message.IsValueNull ? -1 : message.Value.Length); break;
                case 'R':
                    BinaryPrimitives.WriteInt32BigEndian(output.GetSpan(4), message.IsValueNull ? -1 : message.Value.Length);
                    output.Advance(4);
                    break;
                case 'T': WriteNumber(output, message.Timestamp.UnixTimeMilliseconds); break;
                case 'h': WriteHeaders(output, message.Headers); break;
                default: output.Write(token.Literal); break;
            }
        }
    }

    private void WriteHeaders(IBufferWriter<byte> output, ConsumedHeaders headers)
    {
        bool first = true;
        foreach (ConsumedHeader header in headers)
        {
            if (!first)
            {
                output.Write(","u8);
            }

            first = false;
            output.Write(Encoding.UTF8.GetBytes(header.Name));
            output.Write("="u8);
            WriteNullable(output, header.Value, header.IsValueNull);
        }
    }

    private static void WriteNumber(IBufferWriter<byte> output, long value)
    {
        Span<byte> span = output.GetSpan(20);
        Utf8Formatter.TryFormat(value, span, out int written);
        output.Advance(written);
    }

    /// <summary>A format string as literal byte runs and % tokens.</summary>
    private static Token[] Parse(string format)
    {
        var tokens = new List<Token>();
        var literal = new StringBuilder();
        for (int i = 0; i < format.Length; i++)
        {
            char c = format[i];
            if (c != '%' || i + 1 == format.Length)
            {
                literal.Append(c);
                continue;
            }

            char kind = format[++i];
            if (kind == '%')
            {
                literal.Append("\\x25"); // a literal percent sign, kept through the escape pass
                continue;
            }

            if ("tpoksKSRTh".IndexOf(kind, StringComparison.Ordinal) < 0)
            {
                throw new UsageException($"--format '{format}': unknown token '%{kind}' (known: %t %p %o %k %s %K %S %R %T %h %%)");
            }

            Flush();
            tokens.Add(new Token(kind, []));
        }

        Flush();
        return [.. tokens];

        void Flush()
        {
            if (literal.Length > 0)
            {
                tokens.Add(new Token('\0', Escapes.Parse(literal.ToString(), "--format")));
                literal.Clear();
            }
        }
    }

    /// <summary>A % token (Kind), or literal bytes (Kind '\0').</summary>
    private readonly record struct Token(char Kind, byte[] Literal);
}

using System.Buffers;
using System.Buffers.Text;
using System.Text;

namespace KafkaFast.AspNetCore.RequestEvents;

/// <summary>
/// Writes one JSON object of a schema known in advance straight into an <see cref="IBufferWriter{T}"/> (the
/// producer's buffer): member names come pre-encoded with their separator (<c>,"name":</c>), and a string value is
/// copied as it is when it is printable ASCII without <c>"</c> or <c>\</c> (one vectorized scan), escaped otherwise.
/// What <see cref="System.Text.Json.Utf8JsonWriter"/> spends on validation, depth tracking and its general escaper
/// is the larger part of a request event's cost, and none of it is needed for a flat object written by one method.
/// </summary>
/// <remarks>
/// Output rules: valid UTF-8 JSON (RFC 8259). <c>"</c>, <c>\</c> and control characters are escaped (short forms
/// where JSON has them, else <c>\u00XX</c>; DEL too); other characters are written as UTF-8, and a lone surrogate
/// becomes U+FFFD, as <see cref="Encoding.UTF8"/> does. HTML-sensitive characters are not escaped (the event is not
/// embedded in HTML). Only written bytes are advanced: nothing past them is touched.
/// </remarks>
internal ref struct JsonMemberWriter
{
    /// <summary>Characters written as they are: printable ASCII except the quote and the backslash.</summary>
    private static readonly SearchValues<char> s_plain = SearchValues.Create(
        " !#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_`abcdefghijklmnopqrstuvwxyz{|}~");

    /// <summary>At most this many UTF-8 bytes per UTF-16 char of an escaped string (a control char as \u00XX).</summary>
    internal const int MaxBytesPerChar = 6;

    /// <summary>"yyyy-MM-ddTHH:mm:ss": the length of the part of a time formatted once per second.</summary>
    private const int SecondTextLength = 19;

    /// <summary>The second whose text <see cref="t_secondText"/> holds, per thread (meaningless while that is null).</summary>
    [ThreadStatic]
    private static long t_second;

    /// <summary>A 28-byte buffer whose first <see cref="SecondTextLength"/> bytes are <see cref="t_second"/> as text (allocated once per thread).</summary>
    [ThreadStatic]
    private static byte[]? t_secondText;

    private readonly IBufferWriter<byte> _output;
    private Span<byte> _span;
    private int _position;

    /// <summary>A member name with its separator, <c>,"name":</c>, encoded once (at start-up) for <see cref="WriteRaw"/>.</summary>
    public static byte[] EncodeName(string name) => [.. ","u8, .. EncodeString(name), .. ":"u8];

    /// <summary>A string value, quoted and escaped, encoded once for <see cref="WriteRaw"/> (a route pattern: once per endpoint).</summary>
    public static byte[] EncodeString(string value)
    {
        var buffer = new ArrayBufferWriter<byte>(value.Length + 2);
        var writer = new JsonMemberWriter(buffer, value.Length * MaxBytesPerChar + 2);
        writer.WriteStringValue(value);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Starts writing into <paramref name="output"/>, asking it for <paramref name="sizeHint"/> bytes (more is asked for as needed).</summary>
    public JsonMemberWriter(IBufferWriter<byte> output, int sizeHint)
    {
        _output = output;
        _span = output.GetSpan(sizeHint);
        _position = 0;
    }

    /// <summary>Advances the output past what was written; call once, at the end.</summary>
    public void Flush()
    {
        _output.Advance(_position);
        _span = default;
        _position = 0;
    }

    /// <summary>Pre-encoded JSON (a member name with its separator, a brace, a literal).</summary>
    public void WriteRaw(scoped ReadOnlySpan<byte> utf8)
    {
        utf8.CopyTo(Free(utf8.Length));
        _position += utf8.Length;
    }

    public void WriteString(scoped ReadOnlySpan<byte> name, scoped ReadOnlySpan<char> value)
    {
        WriteRaw(name);
        WriteStringValue(value);
    }

    /// <summary>A string value already in UTF-8 that needs no escaping (hex ids, formatted addresses), quoted.</summary>
    public void WritePlainUtf8(scoped ReadOnlySpan<byte> name, scoped ReadOnlySpan<byte> value)
    {
        WriteRaw(name);
        Span<byte> free = Free(value.Length + 2);
        free[0] = (byte)'"';
        value.CopyTo(free[1..]);
        free[value.Length + 1] = (byte)'"';
        _position += value.Length + 2;
    }

    public void WriteStringValue(scoped ReadOnlySpan<char> value)
    {
        int special = value.IndexOfAnyExcept(s_plain);
        if (special < 0)
        {
            Span<byte> free = Free(value.Length + 2);
            free[0] = (byte)'"';
            Ascii.FromUtf16(value, free[1..], out _); // all printable ASCII: one byte per char
            free[value.Length + 1] = (byte)'"';
            _position += value.Length + 2;
            return;
        }

        WriteEscaped(value, special);
    }

    public void WriteNumber(scoped ReadOnlySpan<byte> name, long value)
    {
        WriteRaw(name);
        Utf8Formatter.TryFormat(value, Free(20), out int written); // long.MinValue is 20 bytes
        _position += written;
    }

    public void WriteBoolean(scoped ReadOnlySpan<byte> name, bool value)
    {
        WriteRaw(name);
        WriteRaw(value ? "true"u8 : "false"u8);
    }

    /// <summary>ISO 8601 round-trip form ("2026-11-30T04:05:06.1234567Z" for UTC), as DateTime.ToString("O").</summary>
    public void WriteDateTime(scoped ReadOnlySpan<byte> name, DateTime value)
    {
        WriteRaw(name);
        Span<byte> free = Free(35); // 33 with an offset, plus the quotes
        free[0] = (byte)'"';
        int written = value.Kind == DateTimeKind.Utc ? FormatUtc(value.Ticks, free[1..]) : FormatOther(value, free[1..]);
        free[written + 1] = (byte)'"';
        _position += written + 2;
    }

    /// <summary>
    /// A UTC time as "yyyy-MM-ddTHH:mm:ss.fffffffZ": the part up to the second is formatted once per second per
    /// thread (events of one second share it), the fraction from the ticks.
    /// </summary>
    private static int FormatUtc(long ticks, Span<byte> destination)
    {
        long second = ticks / TimeSpan.TicksPerSecond;
        byte[]? prefix = t_secondText;
        if (prefix is null || second != t_second)
        {
            prefix ??= t_secondText = new byte[SecondTextLength + 9];
            Utf8Formatter.TryFormat(new DateTime(second * TimeSpan.TicksPerSecond, DateTimeKind.Utc), prefix, out _, new StandardFormat('O')); // 28 bytes: the first 19 are kept
            t_second = second;
        }

        prefix.AsSpan(0, SecondTextLength).CopyTo(destination);
        destination[SecondTextLength] = (byte)'.';
        long fraction = ticks - second * TimeSpan.TicksPerSecond;
        for (int i = SecondTextLength + 7; i > SecondTextLength; i--)
        {
            destination[i] = (byte)('0' + (fraction % 10));
            fraction /= 10;
        }

        destination[SecondTextLength + 8] = (byte)'Z';
        return SecondTextLength + 9;
    }

    private static int FormatOther(DateTime value, Span<byte> destination)
    {
        Utf8Formatter.TryFormat(value, destination, out int written, new StandardFormat('O'));
        return written;
    }

    /// <summary>Milliseconds with microsecond precision ("12.345"), formatted from integers.</summary>
    public void WriteMilliseconds(scoped ReadOnlySpan<byte> name, TimeSpan elapsed)
    {
        WriteRaw(name);
        long micros = Math.Max(0, elapsed.Ticks / TimeSpan.TicksPerMicrosecond);
        Span<byte> free = Free(24);
        Utf8Formatter.TryFormat(micros / 1000, free, out int length);
        free[length++] = (byte)'.';
        Utf8Formatter.TryFormat(micros % 1000, free[length..], out int fraction, new StandardFormat('D', 3));
        _position += length + fraction;
    }

    /// <summary>A span of at least <paramref name="length"/> free bytes at the current position.</summary>
    private Span<byte> Free(int length)
    {
        if (_span.Length - _position < length)
        {
            Grow(length);
        }

        return _span[_position..];
    }

    private void Grow(int length)
    {
        _output.Advance(_position);
        _position = 0;
        _span = _output.GetSpan(Math.Max(length, 256));
    }

    private void WriteEscaped(scoped ReadOnlySpan<char> value, int special)
    {
        Span<byte> free = Free(value.Length * MaxBytesPerChar + 2);
        int at = 0;
        free[at++] = (byte)'"';
        while (true)
        {
            Ascii.FromUtf16(value[..special], free[at..], out int copied);
            at += copied;
            value = value[special..];
            if (value.IsEmpty)
            {
                break;
            }

            char c = value[0];
            if (c < 0x80)
            {
                at += Escape(c, free[at..]);
                value = value[1..];
            }
            else
            {
                // Non-ASCII as UTF-8; a lone surrogate is replaced (U+FFFD), as Encoding.UTF8 does.
                Rune.DecodeFromUtf16(value, out Rune rune, out int consumed);
                at += rune.EncodeToUtf8(free[at..]);
                value = value[consumed..];
            }

            special = value.IndexOfAnyExcept(s_plain);
            if (special < 0)
            {
                special = value.Length;
            }
        }

        free[at++] = (byte)'"';
        _position += at;
    }

    private static int Escape(char c, Span<byte> destination)
    {
        destination[0] = (byte)'\\';
        byte shortForm = c switch
        {
            '"' => (byte)'"',
            '\\' => (byte)'\\',
            '\n' => (byte)'n',
            '\r' => (byte)'r',
            '\t' => (byte)'t',
            '\b' => (byte)'b',
            '\f' => (byte)'f',
            _ => 0,
        };
        if (shortForm != 0)
        {
            destination[1] = shortForm;
            return 2;
        }

        "u00"u8.CopyTo(destination[1..]);
        destination[4] = (byte)"0123456789abcdef"[c >> 4];
        destination[5] = (byte)"0123456789abcdef"[c & 0xF];
        return 6;
    }
}

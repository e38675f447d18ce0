using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using CsCheck;
using KafkaFast.AspNetCore.RequestEvents;

namespace KafkaFast.AspNetCore.Tests;

/// <summary>
/// The request events' JSON writer: whatever a request carries (quotes, control characters, any UTF-16 including
/// lone surrogates), the event parses as JSON and reads back as the text (a lone surrogate as U+FFFD, as UTF-8 encodes
/// it), however small the spans its output hands out, and nothing past the written bytes is touched.
/// </summary>
public sealed class JsonMemberWriterTests
{
    private static readonly Gen<string> AnyText = Gen.Frequency(
        (3, Gen.String[Gen.Char, 0, 60]), // any UTF-16 code unit, lone surrogates included
        (3, Gen.String[Gen.Char[(char)0, (char)0x7f], 0, 60]), // ASCII with control characters, quotes, backslashes
        (2, Gen.String[Gen.Char.AlphaNumeric, 0, 300]), // the common case: nothing to escape
        (1, Gen.OneOf(Gen.Const("\ud800"), Gen.Const("a\udfffb"), Gen.Const("\udc00\ud800"), Gen.Const("\ud83d\ude00"), Gen.Const("\"\\\u0001\u007f\u2028"), Gen.Const(""))));

    [Fact]
    public void Any_text_parses_back_as_itself()
    {
        Gen.Select(AnyText, AnyText, Gen.Int[1, 64]).Sample((name, value, span) =>
        {
            byte[] expectedName = Encoding.UTF8.GetBytes(name);
            var output = new SmallSpanWriter(span);
            var json = new JsonMemberWriter(output, 1);
            json.WriteRaw("{\"value\":"u8);
            json.WriteStringValue(value);
            json.WriteRaw(JsonMemberWriter.EncodeName(name));
            json.WriteRaw(JsonMemberWriter.EncodeString(value));
            json.WriteRaw("}"u8);
            json.Flush();

            using JsonDocument document = JsonDocument.Parse(output.Written); // throws on invalid JSON or UTF-8
            string expected = Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(value)); // lone surrogates -> U+FFFD
            Assert.Equal(expected, document.RootElement.GetProperty("value").GetString());
            Assert.Equal(expected, document.RootElement.GetProperty(Encoding.UTF8.GetString(expectedName)).GetString());
            Assert.True(output.UntouchedPastWritten, "nothing past the advanced bytes is written");
        }, iter: 3000);
    }

    [Fact]
    public void Plain_ascii_is_copied_as_it_is_and_the_rest_escaped()
    {
        var output = new ArrayBufferWriter<byte>();
        var json = new JsonMemberWriter(output, 16);
        json.WriteRaw("{\"a\":"u8);
        json.WriteStringValue("GET /x?y=1&z=<b> 'q' +");
        json.WriteString(",\"b\":"u8, "q\"b\\s\n\r\t\b\f\u0001\u007f é€😀");
        json.WriteRaw("}"u8);
        json.Flush();
        Assert.Equal("{\"a\":\"GET /x?y=1&z=<b> 'q' +\",\"b\":\"q\\\"b\\\\s\\n\\r\\t\\b\\f\\u0001\\u007f é€😀\"}", Encoding.UTF8.GetString(output.WrittenSpan));
    }

    [Fact]
    public void Numbers_times_and_literals_read_back()
    {
        Gen.Select(Gen.Long, Gen.Long[0, DateTime.MaxValue.Ticks], Gen.Long[-10, TimeSpan.FromDays(2).Ticks], Gen.Bool).Sample((number, ticks, elapsedTicks, flag) =>
        {
            var time = new DateTime(ticks, DateTimeKind.Utc);
            var elapsed = TimeSpan.FromTicks(elapsedTicks);
            var output = new SmallSpanWriter(7);
            var json = new JsonMemberWriter(output, 1);
            json.WriteRaw("{\"n\":0"u8);
            json.WriteNumber(",\"number\":"u8, number);
            json.WriteDateTime(",\"time\":"u8, time);
            json.WriteMilliseconds(",\"ms\":"u8, elapsed);
            json.WriteBoolean(",\"flag\":"u8, flag);
            json.WriteRaw("}"u8);
            json.Flush();

            using JsonDocument document = JsonDocument.Parse(output.Written);
            JsonElement root = document.RootElement;
            Assert.Equal(number, root.GetProperty("number").GetInt64());
            Assert.Equal(time, root.GetProperty("time").GetDateTime());
            Assert.Equal(DateTimeKind.Utc, root.GetProperty("time").GetDateTime().Kind);
            long micros = Math.Max(0, elapsedTicks / TimeSpan.TicksPerMicrosecond);
            Assert.Equal((micros / 1000).ToString(CultureInfo.InvariantCulture) + "." + (micros % 1000).ToString("D3", CultureInfo.InvariantCulture), root.GetProperty("ms").GetRawText());
            Assert.Equal(flag, root.GetProperty("flag").GetBoolean());
            Assert.True(output.UntouchedPastWritten);
        }, iter: 2000);
    }

    [Fact]
    public void Times_are_the_round_trip_format_whatever_second_came_before()
    {
        // The part up to the second is kept per thread: times in any order, in the same second and across seconds.
        Gen<long> ticks = Gen.Frequency(
            (2, Gen.Long[0, DateTime.MaxValue.Ticks]),
            (3, Gen.Long[DateTime.UtcNow.Ticks - TimeSpan.TicksPerSecond * 3, DateTime.UtcNow.Ticks + TimeSpan.TicksPerSecond * 3]));
        Gen.Select(ticks, Gen.OneOf(Gen.Const(DateTimeKind.Utc), Gen.Const(DateTimeKind.Unspecified))).Sample((t, kind) =>
        {
            var time = new DateTime(t, kind);
            var output = new ArrayBufferWriter<byte>();
            var json = new JsonMemberWriter(output, 64);
            json.WriteDateTime("{\"t\":"u8, time);
            json.WriteRaw("}"u8);
            json.Flush();
            Assert.Equal("{\"t\":\"" + time.ToString("O", CultureInfo.InvariantCulture) + "\"}", Encoding.UTF8.GetString(output.WrittenSpan));
        }, iter: 5000, threads: 4);
    }

    /// <summary>Hands out spans of exactly the size asked for (at least <c>minimum</c>), from a buffer whose unwritten bytes hold a sentinel.</summary>
    private sealed class SmallSpanWriter(int minimum) : IBufferWriter<byte>
    {
        private const byte Sentinel = 0xCC;
        private byte[] _buffer = Filled(64);
        private int _written;
        private int _handedOut;

        public ReadOnlyMemory<byte> Written => _buffer.AsMemory(0, _written);

        public bool UntouchedPastWritten => !_buffer.AsSpan(_written).ContainsAnyExcept(Sentinel);

        public void Advance(int count)
        {
            Assert.InRange(count, 0, _handedOut);
            _written += count;
            _handedOut = 0;
        }

        public Memory<byte> GetMemory(int sizeHint = 0) => throw new NotSupportedException("the writer uses spans");

        public Span<byte> GetSpan(int sizeHint = 0)
        {
            int size = Math.Max(sizeHint, minimum);
            if (_buffer.Length - _written < size)
            {
                byte[] grown = Filled(Math.Max(_buffer.Length * 2, _written + size));
                _buffer.AsSpan(0, _written).CopyTo(grown);
                _buffer = grown;
            }

            _handedOut = size;
            return _buffer.AsSpan(_written, size);
        }

        private static byte[] Filled(int length)
        {
            byte[] bytes = new byte[length];
            bytes.AsSpan().Fill(Sentinel);
            return bytes;
        }
    }
}

using System.Buffers.Binary;
using KafkaFast.Tool.Io;

namespace KafkaFast.Tool.Tests;

/// <summary>The produce input splitter, byte for byte, including messages and delimiters split across reads.</summary>
public class MessageReaderTests
{
    [Theory]
    [InlineData(1)]     // a read per byte: every delimiter and message spans reads
    [InlineData(7)]
    [InlineData(65536)]
    public async Task Delimited_messages_come_out_exactly_however_the_input_is_read(int chunk)
    {
        var random = new Random(42);
        byte[] delimiter = "\r\n--\r\n"u8.ToArray();
        byte[][] messages = [.. Enumerable.Range(0, 40).Select(i => RandomBytesWithout(random, i * 997 % 5000 + 1, delimiter))];
        byte[] input = [.. messages.SelectMany((m, i) => i == messages.Length - 1 ? m : [.. m, .. delimiter, .. (i % 5 == 0 ? delimiter : [])])];

        Assert.Equal(messages, await ReadAllAsync(input, delimiter, chunk));
    }

    [Fact]
    public async Task Empty_messages_are_skipped_and_cr_is_kept()
    {
        Assert.Equal(["a\r"u8.ToArray(), "b"u8.ToArray()], await ReadAllAsync("\n\na\r\n\nb\n\n"u8.ToArray(), "\n"u8.ToArray(), 3));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(65536)]
    public async Task Length_prefixed_messages_keep_empty_and_null_apart(int chunk)
    {
        byte[][] payloads = [[1, 2, 3], [], [.. Enumerable.Repeat((byte)'\n', 70_000)], [0xFF]];
        var input = new List<byte>();
        foreach (byte[] payload in payloads)
        {
            input.AddRange(Prefix(payload.Length));
            input.AddRange(payload);
        }

        input.AddRange(Prefix(-1));
        var reader = new MessageReader(new ChunkedStream([.. input], chunk), null, "test input");
        var read = new List<(byte[] Bytes, bool IsNull)>();
        while (await reader.ReadNextAsync(CancellationToken.None))
        {
            read.Add((reader.Current.ToArray(), reader.CurrentIsNull));
        }

        Assert.Equal([.. payloads, []], read.Select(r => r.Bytes));
        Assert.Equal([false, false, false, false, true], read.Select(r => r.IsNull));
    }

    [Fact]
    public async Task A_truncated_or_bad_length_prefix_is_a_usage_error_naming_where()
    {
        var truncated = new MessageReader(new MemoryStream([.. Prefix(10), 1, 2, 3]), null, "records.bin");
        var error = await Assert.ThrowsAsync<UsageException>(async () => await truncated.ReadNextAsync(CancellationToken.None));
        Assert.Equal("records.bin ends inside a length-prefixed message (at byte 0, 7 bytes left over)", error.Message);

        var bad = new MessageReader(new MemoryStream([.. Prefix(2), 1, 2, .. Prefix(-7)]), null, "records.bin");
        Assert.True(await bad.ReadNextAsync(CancellationToken.None));
        error = await Assert.ThrowsAsync<UsageException>(async () => await bad.ReadNextAsync(CancellationToken.None));
        Assert.StartsWith("records.bin: bad length prefix -7 at byte 6", error.Message, StringComparison.Ordinal);
    }

    private static async Task<List<byte[]>> ReadAllAsync(byte[] input, byte[] delimiter, int chunk)
    {
        var reader = new MessageReader(new ChunkedStream(input, chunk), delimiter, "test input");
        var messages = new List<byte[]>();
        while (await reader.ReadNextAsync(CancellationToken.None))
        {
            Assert.False(reader.CurrentIsNull);
            messages.Add(reader.Current.ToArray());
        }

        return messages;
    }

    private static byte[] Prefix(int length)
    {
        byte[] prefix = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(prefix, length);
        return prefix;
    }

    private static byte[] RandomBytesWithout(Random random, int length, byte[] delimiter)
    {
        byte[] bytes = new byte[length];
        random.NextBytes(bytes);
        for (int at; (at = bytes.AsSpan().IndexOf(delimiter)) >= 0;)
        {
            bytes[at] ^= 0x55;
        }

        return bytes;
    }

    /// <summary>Hands out at most <paramref name="chunk"/> bytes per read, like a slow pipe.</summary>
    private sealed class ChunkedStream(byte[] data, int chunk) : MemoryStream(data)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, chunk));

        public override int Read(Span<byte> buffer) => base.Read(buffer[..Math.Min(buffer.Length, chunk)]);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, chunk)], cancellationToken);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            base.ReadAsync(buffer, offset, Math.Min(count, chunk), cancellationToken);
    }
}

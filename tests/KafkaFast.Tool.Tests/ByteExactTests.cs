using System.Buffers.Binary;
using System.Text;
using KafkaFast.Mock;

namespace KafkaFast.Tool.Tests;

/// <summary>
/// Process-level: kafkafast run as a user runs it, bytes on stdin and stdout. Values and keys are bytes (kcat is the
/// reference): invalid UTF-8, "\r", NUL and binary payloads arrive unchanged, checked with an independent client.
/// </summary>
public class ByteExactTests
{
    private static readonly byte[] s_oddBytes = [0x61, 0xFF, 0xFE, 0x0D, 0x00, 0xC3, 0x28, 0x7A]; // a, invalid UTF-8, \r, NUL, bad 2-byte sequence, z

    [Fact(Timeout = 180_000)]
    public async Task Lines_with_invalid_utf8_cr_and_nul_round_trip_byte_for_byte()
    {
        using var cluster = new KafkaMockCluster(1);
        cluster.CreateTopic("bytes", 1);
        byte[] input = [.. s_oddBytes, (byte)'\n', .. "second\r"u8, (byte)'\n', .. "third-without-newline"u8];

        var produced = await KafkafastProcess.RunAsync(input, "produce", "-b", cluster.BootstrapServers, "-t", "bytes");
        Assert.True(produced.ExitCode == 0, produced.ToString());
        Assert.Contains("3 delivered, 0 failed", produced.Error, StringComparison.Ordinal);

        var stored = ConfluentReadBack.All(cluster.BootstrapServers, "bytes", 1);
        Assert.Equal([s_oddBytes, "second\r"u8.ToArray(), "third-without-newline"u8.ToArray()], stored.Select(r => r.Value));
        Assert.All(stored, r => Assert.Null(r.Key));

        var consumed = await KafkafastProcess.RunAsync([], "consume", "-b", cluster.BootstrapServers, "-t", "bytes", "-e");
        Assert.True(consumed.ExitCode == 0, consumed.ToString());
        Assert.Equal([.. s_oddBytes, (byte)'\n', .. "second\r\n"u8, .. "third-without-newline\n"u8], consumed.Output);
    }

    [Fact(Timeout = 180_000)]
    public async Task Keys_split_at_the_delimiter_and_a_line_without_it_has_a_null_key()
    {
        using var cluster = new KafkaMockCluster(1);
        cluster.CreateTopic("keys", 1);
        byte[] input = [.. "k1::v1\n"u8, 0xFF, .. "::"u8, 0xFE, (byte)'\n', .. "no key here\n"u8, .. "k3::\n"u8];

        var produced = await KafkafastProcess.RunAsync(input, "produce", "-b", cluster.BootstrapServers, "-t", "keys", "-K", "::");
        Assert.True(produced.ExitCode == 0, produced.ToString());

        var stored = ConfluentReadBack.All(cluster.BootstrapServers, "keys", 1);
        Assert.Equal(["k1"u8.ToArray(), [0xFF], null, "k3"u8.ToArray()], stored.Select(r => r.Key));
        Assert.Equal(["v1"u8.ToArray(), [0xFE], "no key here"u8.ToArray(), []], stored.Select(r => r.Value));

        var consumed = await KafkafastProcess.RunAsync([], "consume", "-b", cluster.BootstrapServers, "-t", "keys", "-e", "-Z", "-f", "%k=%s|%K/%S\\n");
        Assert.True(consumed.ExitCode == 0, consumed.ToString());
        Assert.Equal([.. "k1=v1|2/2\n"u8, 0xFF, (byte)'=', 0xFE, .. "|1/1\n"u8, .. "NULL=no key here|-1/11\nk3=|2/0\n"u8], consumed.Output);
    }

    [Fact(Timeout = 180_000)]
    public async Task An_empty_key_is_sent_as_empty_and_Z_sends_empty_keys_and_values_as_null()
    {
        using var cluster = new KafkaMockCluster(1);
        cluster.CreateTopic("empty-key", 1);

        var asGiven = await KafkafastProcess.RunAsync("|value\nkey|\n|\n", "produce", "-b", cluster.BootstrapServers, "-t", "empty-key", "-K", "|");
        Assert.True(asGiven.ExitCode == 0, asGiven.ToString());
        var nulls = await KafkafastProcess.RunAsync("|value\nkey|\n|\n", "produce", "-b", cluster.BootstrapServers, "-t", "empty-key", "-K", "|", "-Z");
        Assert.True(nulls.ExitCode == 0, nulls.ToString()); // -Z: empty key or value is null (a null value is a tombstone)

        var stored = ConfluentReadBack.All(cluster.BootstrapServers, "empty-key", 1);
        Assert.Equal([[], "key"u8.ToArray(), [], null, "key"u8.ToArray(), null], stored.Select(r => r.Key));
        Assert.Equal(["value"u8.ToArray(), [], [], "value"u8.ToArray(), null, null], stored.Select(r => r.Value));
    }

    [Fact(Timeout = 180_000)]
    public async Task Length_prefixed_binary_messages_round_trip_through_consume_with_R_framing()
    {
        using var cluster = new KafkaMockCluster(1);
        cluster.CreateTopic("frames", 1);
        byte[][] payloads = [[0x0A, 0x0A, 0x00], [], [.. Enumerable.Range(0, 256).Select(i => (byte)i)], [0xFF]];
        byte[] framed = Frame(payloads);

        var produced = await KafkafastProcess.RunAsync(framed, "produce", "-b", cluster.BootstrapServers, "-t", "frames", "--length-prefixed", "-k", "avro\\x01");
        Assert.True(produced.ExitCode == 0, produced.ToString());

        var stored = ConfluentReadBack.All(cluster.BootstrapServers, "frames", 1);
        Assert.Equal(payloads, stored.Select(r => r.Value));
        Assert.All(stored, r => Assert.Equal("avro\x01"u8.ToArray(), r.Key));

        var consumed = await KafkafastProcess.RunAsync([], "consume", "-b", cluster.BootstrapServers, "-t", "frames", "-e", "-f", "%R%s");
        Assert.True(consumed.ExitCode == 0, consumed.ToString());
        Assert.Equal(framed, consumed.Output);
    }

    [Fact(Timeout = 180_000)]
    public async Task A_file_is_one_message_and_with_l_its_lines_are_messages()
    {
        using var cluster = new KafkaMockCluster(1);
        cluster.CreateTopic("files", 1);
        string path = Path.Combine(Path.GetTempPath(), $"kafkafast-{Guid.NewGuid():N}.bin");
        byte[] content = [.. "line one\r\nline two\n"u8, 0x00, 0xFF];
        await File.WriteAllBytesAsync(path, content);
        try
        {
            var whole = await KafkafastProcess.RunAsync([], "produce", "-b", cluster.BootstrapServers, "-t", "files", path);
            Assert.True(whole.ExitCode == 0, whole.ToString());
            var lines = await KafkafastProcess.RunAsync([], "produce", "-b", cluster.BootstrapServers, "-t", "files", "-l", "-D", "\\n", path);
            Assert.True(lines.ExitCode == 0, lines.ToString());
        }
        finally
        {
            File.Delete(path);
        }

        Assert.Equal([content, "line one\r"u8.ToArray(), "line two"u8.ToArray(), [0x00, 0xFF]],
            ConfluentReadBack.All(cluster.BootstrapServers, "files", 1).Select(r => r.Value));
    }

    [Fact(Timeout = 180_000)]
    public async Task Delimiters_are_any_bytes_on_both_sides()
    {
        using var cluster = new KafkaMockCluster(1);
        cluster.CreateTopic("delims", 1);

        var produced = await KafkafastProcess.RunAsync("a\nb;;c\nd;;", "produce", "-b", cluster.BootstrapServers, "-t", "delims", "-D", ";;");
        Assert.True(produced.ExitCode == 0, produced.ToString());
        var consumed = await KafkafastProcess.RunAsync([], "consume", "-b", cluster.BootstrapServers, "-t", "delims", "-e", "-D", "\\x00");
        Assert.True(consumed.ExitCode == 0, consumed.ToString());
        Assert.Equal("a\nb\0c\nd\0"u8.ToArray(), consumed.Output);
    }

    [Fact(Timeout = 180_000)]
    public async Task Json_output_keeps_invalid_utf8_as_base64_and_nulls_as_null()
    {
        using var cluster = new KafkaMockCluster(1);
        cluster.CreateTopic("json-bytes", 1);
        Assert.Equal(0, (await KafkafastProcess.RunAsync([.. "k\t"u8, .. s_oddBytes, (byte)'\n', .. "plain ünïcode\n"u8], "produce", "-b", cluster.BootstrapServers, "-t", "json-bytes", "-K", "\\t")).ExitCode);

        var consumed = await KafkafastProcess.RunAsync([], "consume", "-b", cluster.BootstrapServers, "-t", "json-bytes", "-e", "-f", "json");
        Assert.True(consumed.ExitCode == 0, consumed.ToString());
        var lines = consumed.OutputText.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement).ToArray();
        Assert.Equal(s_oddBytes, Convert.FromBase64String(lines[0].GetProperty("value").GetString()!));
        Assert.Equal("base64", lines[0].GetProperty("valueEncoding").GetString());
        Assert.Equal("k", lines[0].GetProperty("key").GetString());
        Assert.Equal("plain ünïcode", lines[1].GetProperty("value").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, lines[1].GetProperty("key").ValueKind);
        Assert.False(lines[1].TryGetProperty("valueEncoding", out _));
    }

    private static byte[] Frame(byte[][] payloads)
    {
        var framed = new List<byte>();
        foreach (byte[] payload in payloads)
        {
            byte[] length = new byte[4];
            BinaryPrimitives.WriteInt32BigEndian(length, payload.Length);
            framed.AddRange(length);
            framed.AddRange(payload);
        }

        return [.. framed];
    }
}

using KafkaFast.Chaos.Messages;
using KafkaFast.Chaos.Reading;

namespace KafkaFast.Chaos.Tests;

public class MessageFactoryTests
{
    private static readonly MessageFactory Factory = new(seed: 42, partitionCount: 6, stream => (StreamKind)(stream % 4));

    [Theory]
    [InlineData(0)] // binary
    [InlineData(3)] // text
    public void A_built_message_carries_its_id_and_passes_the_verifier(int stream)
    {
        var verifier = new MessageVerifier(Factory);
        for (long seq = 0; seq < 2000; seq++)
        {
            var id = new MessageId(stream, seq);
            (byte[] key, byte[] value, MessageLayout layout) = Build(id);
            int partition = layout.Partition == MessageLayout.AnyPartition ? 5 : layout.Partition;
            Assert.True(verifier.Verify(partition, key, value, out MessageId read, out MessageLayout readLayout, out string? problem), problem);
            Assert.Equal(id, read);
            Assert.Equal(layout, readLayout);
        }
    }

    [Fact]
    public void The_content_follows_from_seed_and_id_alone()
    {
        var id = new MessageId(2, 12345);
        Assert.Equal(Build(id).Value, Build(id).Value);
        var other = new MessageFactory(seed: 43, partitionCount: 6, stream => (StreamKind)(stream % 4));
        Span<byte> buffer = new byte[MessageFactory.MaxValueLength];
        int length = other.WriteValue(id, other.Layout(id), buffer);
        Assert.False(buffer[..length].SequenceEqual(Build(id).Value));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    public void A_damaged_byte_anywhere_in_the_value_is_caught(int stream)
    {
        var verifier = new MessageVerifier(Factory);
        (byte[] key, byte[] value, MessageLayout layout) = Build(new MessageId(stream, 7));
        for (int i = 0; i < value.Length; i++)
        {
            byte[] damaged = (byte[])value.Clone();
            damaged[i] ^= 0x20;
            Assert.False(verifier.Verify(Math.Max(layout.Partition, 0), key, damaged, out _, out _, out string? problem), $"byte {i} flipped went unnoticed");
            Assert.NotNull(problem);
        }
    }

    [Fact]
    public void A_different_key_a_wrong_partition_or_a_wrong_header_is_caught()
    {
        var verifier = new MessageVerifier(Factory);
        MessageId explicitId = Enumerable.Range(0, 1000).Select(s => new MessageId(0, s)).First(i => Factory.Layout(i).Partition >= 0 && Factory.Layout(i).HasKey);
        (byte[] key, byte[] value, MessageLayout layout) = Build(explicitId);
        Assert.False(verifier.Verify((layout.Partition + 1) % 6, key, value, out _, out _, out string? wrongPartition));
        Assert.Contains("partition", wrongPartition, StringComparison.Ordinal);
        key[^1] ^= 1;
        Assert.False(verifier.Verify(layout.Partition, key, value, out _, out _, out string? wrongKey));
        Assert.Contains("key", wrongKey, StringComparison.Ordinal);

        Assert.NotNull(verifier.CheckHeader(explicitId, 0, "h1", []));
        byte[] header = new byte[MessageFactory.MaxHeaderValueLength];
        int length = Factory.WriteHeaderValue(explicitId, 0, header);
        Assert.Null(verifier.CheckHeader(explicitId, 0, "h0", header.AsSpan(0, length)));
    }

    [Fact]
    public void Bytes_that_are_not_a_chaos_message_are_refused_with_a_reason()
    {
        Assert.False(MessageFactory.TryReadId([], out _, out string? empty));
        Assert.NotNull(empty);
        Assert.False(MessageFactory.TryReadId("hello world, not a message at all"u8, out _, out string? text));
        Assert.NotNull(text);
    }

    internal static (byte[] Key, byte[] Value, MessageLayout Layout) Build(MessageId id)
    {
        MessageLayout layout = Factory.Layout(id);
        byte[] key = new byte[MessageFactory.MaxKeyLength];
        byte[] value = new byte[MessageFactory.MaxValueLength];
        int k = Factory.WriteKey(id, layout, key);
        int v = Factory.WriteValue(id, layout, value);
        return (key[..k], value[..v], layout);
    }
}

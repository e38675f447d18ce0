using System.Runtime.CompilerServices;
using KafkaFast.Native;

namespace KafkaFast.Tests.Native;

/// <summary>The blittable structs must match librdkafka 2.16's x86_64 layouts byte for byte.</summary>
public unsafe class StructLayoutTests
{
    [Fact]
    public void RdKafkaMessage_matches_rd_kafka_message_t()
    {
        Assert.Equal(72, sizeof(RdKafkaMessage));
        RdKafkaMessage m = default;
        byte* b = (byte*)&m;
        Assert.Equal(0, (byte*)&m.Err - b);
        Assert.Equal(8, (byte*)&m.Topic - b);
        Assert.Equal(16, (byte*)&m.Partition - b);
        Assert.Equal(24, (byte*)&m.Payload - b);
        Assert.Equal(32, (byte*)&m.Length - b);
        Assert.Equal(40, (byte*)&m.Key - b);
        Assert.Equal(48, (byte*)&m.KeyLength - b);
        Assert.Equal(56, (byte*)&m.Offset - b);
        Assert.Equal(64, (byte*)&m.Private - b);
    }

    [Fact]
    public void RdKafkaVu_matches_rd_kafka_vu_t()
    {
        Assert.Equal(72, sizeof(RdKafkaVu));
        RdKafkaVu v = default;
        byte* b = (byte*)&v;
        Assert.Equal(0, (byte*)&v.Type - b);
        Assert.Equal(8, (byte*)&v.Pointer - b);
        Assert.Equal(16, (byte*)&v.Size - b);
        Assert.Equal(16, (byte*)&v.HeaderValue - b);
        Assert.Equal(24, (byte*)&v.HeaderSize - b);
    }

    [Fact]
    public void Metadata_structs_match()
    {
        Assert.Equal(48, sizeof(RdKafkaMetadata));
        Assert.Equal(32, sizeof(RdKafkaMetadataTopic));
        RdKafkaMetadata m = default;
        Assert.Equal(16, (byte*)&m.TopicCount - (byte*)&m);
        Assert.Equal(24, (byte*)&m.Topics - (byte*)&m);
        RdKafkaMetadataTopic t = default;
        Assert.Equal(8, (byte*)&t.PartitionCount - (byte*)&t);
        Assert.Equal(24, (byte*)&t.Err - (byte*)&t);
    }

    [Fact]
    public void Library_loads_and_reports_version_2_16()
    {
        Assert.StartsWith("2.16", LibRdKafka.Version, StringComparison.Ordinal);
    }
}

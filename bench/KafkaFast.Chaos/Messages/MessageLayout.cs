namespace KafkaFast.Chaos.Messages;

/// <summary>
/// What a message looks like, drawn from the run's seed and the message's id (so a reader can rebuild it exactly):
/// key or none, partitioner or an explicit partition, 0..3 headers, and a body size from a mostly-small mix
/// (98.5% 8-200 bytes, 1.4% 1-4 KB, 0.1% 16-64 KB: ~210 bytes on average, so the brokers' ~5 MiB per partition
/// holds half a minute or more of the default load).
/// </summary>
internal readonly record struct MessageLayout(int KeyExtra, bool HasKey, int Partition, int HeaderCount, int BodyLength)
{
    /// <summary>Partition chosen by the producer's partitioner.</summary>
    internal const int AnyPartition = -1;

    /// <summary>The largest body: keeps ~5 MiB per partition in the embedded brokers worth many messages.</summary>
    internal const int MaxBodyLength = 64_000;

    internal static MessageLayout Draw(ulong seed, MessageId id, int partitionCount)
    {
        var rng = new SplitMix64(MessageFactory.Mix(seed, id, aspect: 0));
        bool hasKey = rng.Below(4) != 0;            // a quarter keyless (sticky random partitioning)
        int keyExtra = rng.Below(9);
        int partition = rng.Below(8) == 0 ? rng.Below(partitionCount) : AnyPartition;
        int headers = rng.Below(5) == 0 ? rng.Between(1, 3) : 0;
        int sizeClass = rng.Below(1000);
        int body = sizeClass switch
        {
            < 985 => rng.Between(8, 200),
            < 999 => rng.Between(1_000, 4_000),
            _ => rng.Between(16_000, MaxBodyLength),
        };
        return new MessageLayout(keyExtra, hasKey, partition, headers, body);
    }
}

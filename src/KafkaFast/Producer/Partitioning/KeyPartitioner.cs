namespace KafkaFast.Producer.Partitioning;

/// <summary>Chooses a partition for a key the way librdkafka's configured partitioner does.</summary>
internal static class KeyPartitioner
{
    /// <summary>
    /// The partition librdkafka's partitioner gives a key, or -1 when it does not hash this key (the caller then uses
    /// the topic's sticky partition, as librdkafka does). As rd_kafka_msg_partitioner: a null key is never hashed;
    /// an empty key is hashed by every partitioner but consistent_random (which treats length 0 as no key).
    /// </summary>
    internal static int ForKey(PartitionerType type, ReadOnlySpan<byte> key, bool keyIsNull, int partitionCount)
    {
        if (keyIsNull)
        {
            return -1;
        }

        return type switch
        {
            PartitionerType.ConsistentRandom => key.IsEmpty ? -1 : (int)(KeyHashes.Crc32(key) % (uint)partitionCount),
            PartitionerType.Consistent => (int)(KeyHashes.Crc32(key) % (uint)partitionCount),
            PartitionerType.Murmur2Random or PartitionerType.Murmur2 => (int)((KeyHashes.Murmur2(key) & 0x7FFFFFFF) % (uint)partitionCount),
            PartitionerType.Fnv1aRandom or PartitionerType.Fnv1a => (int)(KeyHashes.Fnv1a(key) % (uint)partitionCount),
            _ => -1,
        };
    }

    /// <summary>librdkafka's partitioner property value for each type.</summary>
    internal static string PropertyValue(PartitionerType type) => type switch
    {
        PartitionerType.ConsistentRandom => "consistent_random",
        PartitionerType.Consistent => "consistent",
        PartitionerType.Murmur2Random => "murmur2_random",
        PartitionerType.Murmur2 => "murmur2",
        PartitionerType.Fnv1aRandom => "fnv1a_random",
        PartitionerType.Fnv1a => "fnv1a",
        _ => "random",
    };

    /// <summary>The type for a librdkafka partitioner property value (pass-through), or null when unknown.</summary>
    internal static PartitionerType? FromPropertyValue(string? value) => value switch
    {
        "consistent_random" => PartitionerType.ConsistentRandom,
        "consistent" => PartitionerType.Consistent,
        "murmur2_random" => PartitionerType.Murmur2Random,
        "murmur2" => PartitionerType.Murmur2,
        "fnv1a_random" => PartitionerType.Fnv1aRandom,
        "fnv1a" => PartitionerType.Fnv1a,
        "random" => PartitionerType.Random,
        _ => null,
    };
}

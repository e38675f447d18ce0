namespace KafkaFast.Producer;

/// <summary>
/// How a keyed message's partition is chosen; the same functions as librdkafka's partitioners, so a key lands on
/// the partition any librdkafka-based (or, for murmur2, Java) producer would choose. Messages without a key
/// stick to one randomly chosen partition for a while (librdkafka's sticky partitioning; see
/// <see cref="KafkaProducerOptions.StickyPartitioningLinger"/>).
/// </summary>
public enum PartitionerType
{
    /// <summary>CRC32 of the key; keyless messages random (librdkafka's default).</summary>
    ConsistentRandom,
    /// <summary>CRC32 of the key; an empty key hashes too.</summary>
    Consistent,
    /// <summary>Java-compatible murmur2 of the key; keyless messages random (the Java client's default).</summary>
    Murmur2Random,
    /// <summary>Java-compatible murmur2 of the key.</summary>
    Murmur2,
    /// <summary>FNV-1a of the key; keyless messages random.</summary>
    Fnv1aRandom,
    /// <summary>FNV-1a of the key.</summary>
    Fnv1a,
    /// <summary>Random, whatever the key.</summary>
    Random,
}

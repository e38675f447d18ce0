namespace KafkaFast.Producer;

/// <summary>Batch compression (librdkafka's compression.type).</summary>
public enum CompressionType
{
    /// <summary>No compression.</summary>
    None,
    /// <summary>gzip.</summary>
    Gzip,
    /// <summary>Snappy.</summary>
    Snappy,
    /// <summary>LZ4.</summary>
    Lz4,
    /// <summary>Zstandard.</summary>
    Zstd,
}

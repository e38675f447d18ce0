using System.Runtime.InteropServices;

namespace KafkaFast.Native;

/// <summary>Topic handles (rd_kafka_topic_t) and metadata.</summary>
internal static unsafe partial class LibRdKafka
{
    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_topic_new", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial nint TopicNew(SafeKafkaHandle rk, string topic, nint conf);

    /// <summary>IntPtr: called from SafeTopicHandle.ReleaseHandle.</summary>
    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_topic_destroy")]
    internal static partial void TopicDestroy(nint rkt);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_metadata")]
    internal static partial int Metadata(SafeKafkaHandle rk, int allTopics, SafeTopicHandle onlyTopic, RdKafkaMetadata** metadata, int timeoutMs);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_metadata")]
    internal static partial int MetadataAll(SafeKafkaHandle rk, int allTopics, nint onlyTopic, RdKafkaMetadata** metadata, int timeoutMs);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_metadata_destroy")]
    internal static partial void MetadataDestroy(RdKafkaMetadata* metadata);
}

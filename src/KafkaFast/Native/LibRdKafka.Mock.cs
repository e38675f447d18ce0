using System.Runtime.InteropServices;

namespace KafkaFast.Native;

/// <summary>librdkafka's mock cluster (experimental API, no ABI promise): used only by the embedded mock cluster (Mock/).</summary>
internal static unsafe partial class LibRdKafka
{
    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_mock_cluster_new")]
    internal static partial nint MockClusterNew(SafeKafkaHandle rk, int brokerCount);

    /// <summary>IntPtr: called from SafeMockClusterHandle.ReleaseHandle; must run before the host rd_kafka_t is destroyed.</summary>
    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_mock_cluster_destroy")]
    internal static partial void MockClusterDestroy(nint cluster);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_mock_cluster_bootstraps")]
    internal static partial byte* MockClusterBootstraps(SafeMockClusterHandle cluster);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_mock_topic_create", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int MockTopicCreate(SafeMockClusterHandle cluster, string topic, int partitionCount, int replicationFactor);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_mock_topic_delete", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int MockTopicDelete(SafeMockClusterHandle cluster, string topic);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_mock_broker_set_down")]
    internal static partial int MockBrokerSetDown(SafeMockClusterHandle cluster, int brokerId);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_mock_broker_set_up")]
    internal static partial int MockBrokerSetUp(SafeMockClusterHandle cluster, int brokerId);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_mock_broker_set_rtt")]
    internal static partial int MockBrokerSetRtt(SafeMockClusterHandle cluster, int brokerId, int rttMs);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_mock_push_request_errors_array")]
    internal static partial void MockPushRequestErrorsArray(SafeMockClusterHandle cluster, short apiKey, nuint count, int* errors);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_mock_partition_set_leader", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int MockPartitionSetLeader(SafeMockClusterHandle cluster, string topic, int partition, int brokerId);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_mock_group_initial_rebalance_delay_ms")]
    internal static partial void MockGroupInitialRebalanceDelayMs(SafeMockClusterHandle cluster, int delayMs);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_mock_start_request_tracking")]
    internal static partial void MockStartRequestTracking(SafeMockClusterHandle cluster);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_mock_clear_requests")]
    internal static partial void MockClearRequests(SafeMockClusterHandle cluster);

    /// <summary>The requests tracked so far: an array of <paramref name="count"/> requests, freed with <see cref="MockRequestDestroyArray"/>.</summary>
    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_mock_get_requests")]
    internal static partial nint* MockGetRequests(SafeMockClusterHandle cluster, nuint* count);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_mock_request_id")]
    internal static partial int MockRequestBrokerId(nint request);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_mock_request_api_key")]
    internal static partial short MockRequestApiKey(nint request);

    /// <summary>Frees every request of the array and the array itself.</summary>
    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_mock_request_destroy_array")]
    internal static partial void MockRequestDestroyArray(nint* requests, nuint count);
}

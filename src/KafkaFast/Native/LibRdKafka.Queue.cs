using System.Runtime.InteropServices;

namespace KafkaFast.Native;

/// <summary>Queues and the events API.</summary>
internal static unsafe partial class LibRdKafka
{
    internal const int EventTypeDeliveryReport = 0x1;
    internal const int EventTypeFetch = 0x2;
    internal const int EventTypeLog = 0x4;
    internal const int EventTypeError = 0x8;
    internal const int EventTypeRebalance = 0x10;
    internal const int EventTypeOffsetCommit = 0x20;
    internal const int EventTypeStats = 0x40;

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_queue_get_main")]
    internal static partial nint QueueGetMain(SafeKafkaHandle rk);

    /// <summary>IntPtr: called from SafeQueueHandle.ReleaseHandle.</summary>
    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_queue_destroy")]
    internal static partial void QueueDestroy(nint queue);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_queue_poll")]
    internal static partial nint QueuePoll(nint queue, int timeoutMs);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_queue_length")]
    internal static partial nuint QueueLength(nint queue);

    /// <summary>librdkafka writes payload to fd (non-blocking) when the queue goes from empty to non-empty.</summary>
    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_queue_io_event_enable")]
    internal static partial void QueueIoEventEnable(SafeQueueHandle queue, int fd, void* payload, nuint size);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_set_log_queue")]
    internal static partial int SetLogQueue(SafeKafkaHandle rk, SafeQueueHandle queue);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_event_type")]
    internal static partial int EventType(nint ev);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_event_destroy")]
    internal static partial void EventDestroy(nint ev);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_event_message_array")]
    internal static partial nuint EventMessageArray(nint ev, RdKafkaMessage** messages, nuint size);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_event_error")]
    internal static partial int EventError(nint ev);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_event_error_string")]
    internal static partial byte* EventErrorString(nint ev);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_event_error_is_fatal")]
    internal static partial int EventErrorIsFatal(nint ev);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_event_log")]
    internal static partial int EventLog(nint ev, byte** facility, byte** text, int* level);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_event_stats")]
    internal static partial byte* EventStats(nint ev);
}

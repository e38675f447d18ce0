using System.Runtime.InteropServices;

namespace KafkaFast.Native;

/// <summary>Producing: batches to one partition, and single messages with headers or timestamps.</summary>
internal static unsafe partial class LibRdKafka
{
    /// <summary>RD_KAFKA_MSG_F_PARTITION: use each message's own partition field.</summary>
    internal const int MsgFlagPartition = 0x8;

    /// <summary>
    /// Enqueues <paramref name="count"/> messages to one partition without copying payloads (no F_COPY, no F_FREE):
    /// each payload must stay valid until its delivery report. Writes err for every message; returns how many were enqueued.
    /// </summary>
    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_produce_batch")]
    internal static partial int ProduceBatch(nint rkt, int partition, int msgflags, RdKafkaMessage* messages, int count);

    /// <summary>One message described by a vu array; returns null or an rd_kafka_error_t to destroy.</summary>
    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_produceva")]
    internal static partial nint ProduceVa(nint rk, RdKafkaVu* vus, nuint count);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_message_timestamp")]
    internal static partial long MessageTimestamp(RdKafkaMessage* message, int* timestampType);

    /// <returns>0 not persisted, 1 possibly persisted, 2 persisted.</returns>
    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_message_status")]
    internal static partial int MessageStatus(RdKafkaMessage* message);

    /// <summary>Microseconds from the produce call to now (for a delivery report: the message's whole time in librdkafka), or -1.</summary>
    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_message_latency")]
    internal static partial long MessageLatency(RdKafkaMessage* message);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_message_produce_errstr")]
    internal static partial byte* MessageProduceErrstr(RdKafkaMessage* message);
}

using System.Runtime.InteropServices;

namespace KafkaFast.Native;

/// <summary>
/// The high-level (group) consumer. Every rd_kafka_t argument is a raw pointer: callers hold a
/// <see cref="HandleLease"/> on the SafeKafkaHandle for the duration of the call, or are a librdkafka callback
/// (which runs inside a call that already holds one).
/// </summary>
internal static unsafe partial class LibRdKafka
{
    internal const int ErrAssignPartitions = -175;   // RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS
    internal const int ErrRevokePartitions = -174;   // RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS
    internal const int ErrNoOffset = -168;           // RD_KAFKA_RESP_ERR__NO_OFFSET
    internal const int ErrState = -172;              // RD_KAFKA_RESP_ERR__STATE
    internal const int ErrNoEntry = -156;            // RD_KAFKA_RESP_ERR__NOENT
    internal const int ErrFatal = -150;              // RD_KAFKA_RESP_ERR__FATAL
    internal const int ErrPartitionEof = -191;       // RD_KAFKA_RESP_ERR__PARTITION_EOF

    internal const long OffsetBeginning = -2;        // RD_KAFKA_OFFSET_BEGINNING
    internal const long OffsetEnd = -1;              // RD_KAFKA_OFFSET_END
    internal const long OffsetStored = -1000;        // RD_KAFKA_OFFSET_STORED
    internal const long OffsetInvalid = -1001;       // RD_KAFKA_OFFSET_INVALID

    // ---- configuration callbacks (all receive the opaque set with rd_kafka_conf_set_opaque) ----

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_conf_set_opaque")]
    internal static partial void ConfSetOpaque(SafeConfigHandle conf, nint opaque);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_opaque")]
    internal static partial nint Opaque(nint rk);

    /// <summary>Called on the thread that serves the consumer queue (consume, close) with ASSIGN or REVOKE.</summary>
    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_conf_set_rebalance_cb")]
    internal static partial void ConfSetRebalanceCb(SafeConfigHandle conf, delegate* unmanaged<nint, int, RdKafkaTopicPartitionList*, nint, void> callback);

    /// <summary>Client-level errors; served like rebalances once the main queue is forwarded to the consumer queue.</summary>
    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_conf_set_error_cb")]
    internal static partial void ConfSetErrorCb(SafeConfigHandle conf, delegate* unmanaged<nint, int, byte*, nint, void> callback);

    /// <summary>Results of automatic commits (and of manual commits that name no callback of their own).</summary>
    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_conf_set_offset_commit_cb")]
    internal static partial void ConfSetOffsetCommitCb(SafeConfigHandle conf, delegate* unmanaged<nint, int, RdKafkaTopicPartitionList*, nint, void> callback);

    /// <summary>Log lines; called from librdkafka's own threads.</summary>
    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_conf_set_log_cb")]
    internal static partial void ConfSetLogCb(SafeConfigHandle conf, delegate* unmanaged<nint, int, byte*, byte*, void> callback);

    // ---- group membership ----

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_subscribe")]
    internal static partial int Subscribe(nint rk, RdKafkaTopicPartitionList* topics);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_unsubscribe")]
    internal static partial int Unsubscribe(nint rk);

    /// <summary>Writes a new list to free (with rd_kafka_topic_partition_list_destroy) into <paramref name="topics"/>.</summary>
    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_subscription")]
    internal static partial int Subscription(nint rk, RdKafkaTopicPartitionList** topics);

    /// <summary>Writes a new list to free into <paramref name="partitions"/>.</summary>
    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_assignment")]
    internal static partial int Assignment(nint rk, RdKafkaTopicPartitionList** partitions);

    /// <summary>Eager protocol: replaces the assignment (null: unassign all).</summary>
    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_assign")]
    internal static partial int Assign(nint rk, RdKafkaTopicPartitionList* partitions);

    /// <summary>Cooperative protocol: adds partitions. Returns null or an rd_kafka_error_t to destroy.</summary>
    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_incremental_assign")]
    internal static partial nint IncrementalAssign(nint rk, RdKafkaTopicPartitionList* partitions);

    /// <summary>Cooperative protocol: removes partitions. Returns null or an rd_kafka_error_t to destroy.</summary>
    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_incremental_unassign")]
    internal static partial nint IncrementalUnassign(nint rk, RdKafkaTopicPartitionList* partitions);


    /// <summary>1 when the current assignment was lost (session timeout, fatal error) rather than revoked.</summary>
    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_assignment_lost")]
    internal static partial int AssignmentLost(nint rk);

    /// <summary>The group member id (free with rd_kafka_mem_free), or null when not a member.</summary>
    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_memberid")]
    internal static partial byte* MemberId(nint rk);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_mem_free")]
    internal static partial void MemFree(nint rk, void* pointer);

    /// <summary>Forwards the main queue (errors, commit results) to the consumer queue.</summary>
    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_poll_set_consumer")]
    internal static partial int PollSetConsumer(nint rk);

    /// <summary>The consumer-group queue: messages, rebalances, and (after PollSetConsumer) errors.</summary>
    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_queue_get_consumer")]
    internal static partial nint QueueGetConsumer(nint rk);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_queue_new")]
    internal static partial nint QueueNew(nint rk);

    /// <summary>Raw queue pointer; payload is written to the non-blocking fd (fd -1 disables).</summary>
    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_queue_io_event_enable")]
    internal static partial void QueueIoEventEnableRaw(nint queue, int fd, void* payload, nuint size);

    /// <summary>The callback runs on a librdkafka thread and must not call librdkafka for this client.</summary>
    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_queue_cb_event_enable")]
    internal static partial void QueueCbEventEnable(nint queue, delegate* unmanaged<nint, nint, void> callback, nint opaque);

    /// <summary>Serves callbacks of ops on the queue; returns how many were served.</summary>
    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_queue_poll_callback")]
    internal static partial int QueuePollCallback(nint queue, int timeoutMs);

    /// <summary>Blocks for the group to be left; serves rebalance callbacks on this thread.</summary>
    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_consumer_close")]
    internal static partial int ConsumerClose(nint rk);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_consumer_closed")]
    internal static partial int ConsumerClosed(nint rk);

    // ---- consuming ----

    /// <summary>
    /// Moves up to <paramref name="size"/> messages (and consumer errors, as messages with err set) into the
    /// array, serving callbacks on the way. Waits until the array is full or the timeout passes: call it with 0.
    /// Each returned message must be freed with <see cref="MessageDestroy"/>.
    /// </summary>
    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_consume_batch_queue")]
    internal static partial nint ConsumeBatchQueue(nint queue, int timeoutMs, RdKafkaMessage** messages, nuint size);

    /// <summary>The error of the last failed legacy call on this thread (for consume_batch_queue's -1).</summary>
    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_last_error")]
    internal static partial int LastError();

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_message_destroy")]
    internal static partial void MessageDestroy(RdKafkaMessage* message);

    /// <summary>0 and the parsed headers (owned by the message), or -156 (__NOENT) when there are none.</summary>
    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_message_headers")]
    internal static partial int MessageHeaders(RdKafkaMessage* message, nint* headers);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_header_cnt")]
    internal static partial nuint HeaderCount(nint headers);

    /// <summary>The idx'th header; value is null for a null header value. Non-zero past the end.</summary>
    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_header_get_all")]
    internal static partial int HeaderGetAll(nint headers, nuint index, byte** name, byte** value, nuint* size);

    /// <summary>The last header called <paramref name="name"/> (NUL-terminated); __NOENT when absent.</summary>
    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_header_get_last")]
    internal static partial int HeaderGetLast(nint headers, byte* name, byte** value, nuint* size);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_message_leader_epoch")]
    internal static partial int MessageLeaderEpoch(RdKafkaMessage* message);

    /// <summary>The topic's name, owned by the rd_kafka_topic_t (valid while a message references it).</summary>
    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_topic_name")]
    internal static partial byte* TopicName(nint rkt);

    // ---- offsets ----

    /// <summary>Stores offset+1 (with the message's leader epoch) for the next commit. Null or an rd_kafka_error_t.</summary>
    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_offset_store_message")]
    internal static partial nint OffsetStoreMessage(RdKafkaMessage* message);

    /// <summary>Stores each element's offset as given; writes err per element.</summary>
    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_offsets_store")]
    internal static partial int OffsetsStore(nint rk, RdKafkaTopicPartitionList* offsets);

    /// <summary>
    /// Commits <paramref name="offsets"/> (null: the stored offsets of the assignment). With a null queue it waits and
    /// calls <paramref name="callback"/> on this thread before returning; otherwise the result is an op on the queue.
    /// </summary>
    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_commit_queue")]
    internal static partial int CommitQueue(nint rk, RdKafkaTopicPartitionList* offsets, nint queue,
        delegate* unmanaged<nint, int, RdKafkaTopicPartitionList*, nint, void> callback, nint opaque);

    /// <summary>Fills each element's offset with the group's committed offset (or -1001).</summary>
    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_committed")]
    internal static partial int Committed(nint rk, RdKafkaTopicPartitionList* partitions, int timeoutMs);

    /// <summary>Fills each element's offset with the consumer's position (last consumed + 1, or -1001).</summary>
    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_position")]
    internal static partial int Position(nint rk, RdKafkaTopicPartitionList* partitions);

    /// <summary>Returns null or an rd_kafka_error_t; per-partition errors in each element's err.</summary>
    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_seek_partitions")]
    internal static partial nint SeekPartitions(nint rk, RdKafkaTopicPartitionList* partitions, int timeoutMs);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_pause_partitions")]
    internal static partial int PausePartitions(nint rk, RdKafkaTopicPartitionList* partitions);

    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_resume_partitions")]
    internal static partial int ResumePartitions(nint rk, RdKafkaTopicPartitionList* partitions);

    /// <summary>
    /// Replaces each element's offset (a timestamp in ms) with the earliest offset whose timestamp is at or after it,
    /// or -1 (end) when no message is that recent; asks the partition leaders. Per-partition errors in each element's err.
    /// </summary>
    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_offsets_for_times")]
    internal static partial int OffsetsForTimes(nint rk, RdKafkaTopicPartitionList* partitions, int timeoutMs);

    /// <summary>Asks the partition leader for its low and high watermarks.</summary>
    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_query_watermark_offsets")]
    internal static partial int QueryWatermarkOffsets(nint rk, byte* topic, int partition, long* low, long* high, int timeoutMs);

    /// <summary>The watermarks last seen in fetch responses (no request; -1001 until the first fetch).</summary>
    [LibraryImport(Libraries.RdKafka, EntryPoint = "rd_kafka_get_watermark_offsets")]
    internal static partial int GetWatermarkOffsets(nint rk, byte* topic, int partition, long* low, long* high);
}

/// <summary>
/// The consumer's calls with partition lists as SafeHandles and strings as strings, so the consumer layer needs no
/// pointers. Every list stays owned by the caller (librdkafka reads it, or writes offsets and errors into it, during
/// the call only).
/// </summary>
internal static unsafe partial class LibRdKafka
{
    /// <summary>rd_kafka_conf_set: null when accepted, else librdkafka's reason.</summary>
    internal static string? TrySetConf(SafeConfigHandle conf, string name, string value)
    {
        byte* errstr = stackalloc byte[512];
        return ConfSet(conf, name, value, errstr, 512) == ConfOk ? null : Utf8(errstr);
    }

    /// <summary>librdkafka's name for the client (client.id plus a counter).</summary>
    internal static string Utf8Name(nint rk) => Utf8(Name(rk));

    internal static int Subscribe(nint rk, SafeTopicPartitionListHandle topics) => Subscribe(rk, topics.List);

    /// <summary>The current subscription (a new list the caller owns), or the error.</summary>
    internal static int Subscription(nint rk, out SafeTopicPartitionListHandle topics)
    {
        RdKafkaTopicPartitionList* list = null;
        int err = Subscription(rk, &list);
        topics = SafeTopicPartitionListHandle.Own(list);
        return err;
    }

    internal static int Assign(nint rk, SafeTopicPartitionListHandle partitions) => Assign(rk, partitions.List);

    /// <summary>Eager protocol: gives up the whole assignment.</summary>
    internal static int Unassign(nint rk) => Assign(rk, (RdKafkaTopicPartitionList*)null);

    internal static nint IncrementalAssign(nint rk, SafeTopicPartitionListHandle partitions) => IncrementalAssign(rk, partitions.List);

    internal static nint IncrementalUnassign(nint rk, SafeTopicPartitionListHandle partitions) => IncrementalUnassign(rk, partitions.List);

    /// <summary>The group member id, or null when not a member.</summary>
    internal static string? MemberIdOf(nint rk)
    {
        byte* id = MemberId(rk);
        if (id == null)
        {
            return null;
        }

        try
        {
            string value = Utf8(id);
            return value.Length == 0 ? null : value;
        }
        finally
        {
            MemFree(rk, id);
        }
    }

    internal static int OffsetsStore(nint rk, SafeTopicPartitionListHandle offsets) => OffsetsStore(rk, offsets.List);

    /// <summary>Stores a consumed message's offset + 1 and leader epoch (the message must be alive). Null or an rd_kafka_error_t.</summary>
    internal static nint OffsetStoreMessage(nint message) => OffsetStoreMessage((RdKafkaMessage*)message);

    internal static int Committed(nint rk, SafeTopicPartitionListHandle partitions, int timeoutMs) => Committed(rk, partitions.List, timeoutMs);

    internal static int Position(nint rk, SafeTopicPartitionListHandle partitions) => Position(rk, partitions.List);

    internal static nint SeekPartitions(nint rk, SafeTopicPartitionListHandle partitions, int timeoutMs) => SeekPartitions(rk, partitions.List, timeoutMs);

    internal static int PausePartitions(nint rk, SafeTopicPartitionListHandle partitions) => PausePartitions(rk, partitions.List);

    internal static int ResumePartitions(nint rk, SafeTopicPartitionListHandle partitions) => ResumePartitions(rk, partitions.List);

    internal static int OffsetsForTimes(nint rk, SafeTopicPartitionListHandle partitions, int timeoutMs) => OffsetsForTimes(rk, partitions.List, timeoutMs);

    /// <summary>Asks the partition's leader for its low and high watermarks.</summary>
    internal static int QueryWatermarkOffsets(nint rk, string topic, int partition, out long low, out long high, int timeoutMs)
    {
        long l, h;
        int err;
        fixed (byte* name = Utf8Z(topic, stackalloc byte[256]))
        {
            err = QueryWatermarkOffsets(rk, name, partition, &l, &h, timeoutMs);
        }

        (low, high) = (l, h);
        return err;
    }

    /// <summary>The watermarks last seen in fetch responses (no request).</summary>
    internal static int GetWatermarkOffsets(nint rk, string topic, int partition, out long low, out long high)
    {
        long l, h;
        int err;
        fixed (byte* name = Utf8Z(topic, stackalloc byte[256]))
        {
            err = GetWatermarkOffsets(rk, name, partition, &l, &h);
        }

        (low, high) = (l, h);
        return err;
    }

    /// <summary>The fatal error that stopped the client: its underlying code (0 when none) and reason.</summary>
    internal static (int Code, string Reason) FatalErrorOf(nint rk)
    {
        byte* buffer = stackalloc byte[512];
        int code = FatalError(rk, buffer, 512);
        return (code, code == 0 ? string.Empty : Utf8(buffer));
    }

    /// <summary><paramref name="text"/> as NUL-terminated UTF-8, in <paramref name="scratch"/> when it fits.</summary>
    private static Span<byte> Utf8Z(string text, Span<byte> scratch)
    {
        int max = System.Text.Encoding.UTF8.GetMaxByteCount(text.Length) + 1;
        Span<byte> utf8 = max <= scratch.Length ? scratch : new byte[max];
        utf8[System.Text.Encoding.UTF8.GetBytes(text, utf8)] = 0;
        return utf8;
    }
}

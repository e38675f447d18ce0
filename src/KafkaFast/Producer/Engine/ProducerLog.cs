using Microsoft.Extensions.Logging;

namespace KafkaFast.Producer.Engine;

/// <summary>The producer's log messages (source-generated: no formatting unless enabled).</summary>
internal static partial class ProducerLog
{
    [LoggerMessage(1, LogLevel.Information, "KafkaFast producer started: {Clients} librdkafka {Version} client(s), budget {BudgetBytes} bytes in {Slabs} slabs of {SlabSize} bytes.")]
    internal static partial void Started(ILogger logger, int clients, string version, long budgetBytes, int slabs, int slabSize);

    [LoggerMessage(2, LogLevel.Information, "KafkaFast producer closed: {Delivered} delivered, {Failed} failed, {Purged} purged at close (not delivered before the close timeout).")]
    internal static partial void Closed(ILogger logger, long delivered, long failed, long purged);

    [LoggerMessage(3, LogLevel.Warning, "Client {Client}: {Code} {Reason}")]
    internal static partial void ClientError(ILogger logger, int client, KafkaErrorCode code, string reason);

    [LoggerMessage(4, LogLevel.Critical, "Client {Client}: fatal error {Code}: {Reason}. The producer rejects new messages.")]
    internal static partial void FatalError(ILogger logger, int client, KafkaErrorCode code, string reason);

    [LoggerMessage(5, LogLevel.Critical, "Producer worker {Client} crashed; its undelivered messages are failed.")]
    internal static partial void WorkerCrashed(ILogger logger, Exception exception, int client);

    [LoggerMessage(6, LogLevel.Error, "Client {Client}: {Count} messages had no delivery report when librdkafka was destroyed; each is failed with a report.")]
    internal static partial void LostAtShutdown(ILogger logger, int client, long count);

    [LoggerMessage(EventId = 7, Message = "librdkafka {Facility} (client {Client}): {Text}")]
    internal static partial void Librdkafka(ILogger logger, LogLevel level, string facility, int client, string text);

    [LoggerMessage(8, LogLevel.Warning, "Delivery failed for {Topic}[{Partition}]: {Code} {Reason}")]
    internal static partial void DeliveryFailed(ILogger logger, string topic, int partition, KafkaErrorCode code, string reason);

    [LoggerMessage(9, LogLevel.Warning, "Producer was not disposed; its finalizer is closing it.")]
    internal static partial void Finalized(ILogger logger);

    [LoggerMessage(10, LogLevel.Warning, "Topic {Topic}: no metadata within {Seconds} s ({Code}); its partitioning is pending: messages are accepted within the budget and partitioned when the cluster answers.")]
    internal static partial void TopicPending(ILogger logger, string topic, double seconds, KafkaErrorCode code);

    [LoggerMessage(11, LogLevel.Information, "Topic {Topic}: {Partitions} partitions (was {Previous}).")]
    internal static partial void TopicPartitions(ILogger logger, string topic, int partitions, int previous);

    [LoggerMessage(12, LogLevel.Error, "Topic {Topic} refused by the cluster: {Code} {Reason}; its messages fail.")]
    internal static partial void TopicRefused(ILogger logger, string topic, KafkaErrorCode code, string reason);

    // Next free id: 13 (20 is DeliveryReportSampler's).
}

using KafkaFast.AspNetCore.Options;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace KafkaFast.AspNetCore.Hosting;

/// <summary>
/// Log messages of the hosting layer (category "KafkaFast.Hosting"). Event ids: 1-19 hosting (next free: 12);
/// 20-39 request events (RequestEventsLog).
/// </summary>
internal static partial class HostingLog
{
    [LoggerMessage(1, LogLevel.Information, "KafkaFast producer '{Producer}' started: {Bootstrap}, topics [{Topics}], memory budget {BudgetBytes} bytes.", EventName = "ProducerStarted")]
    internal static partial void ProducerStarted(ILogger logger, string producer, string bootstrap, string topics, long budgetBytes);

    [LoggerMessage(2, LogLevel.Warning, "KafkaFast embedded cluster started: {Brokers} in-process broker(s) at {Bootstrap}. For development and tests only: everything it stores is lost when the process exits.", EventName = "EmbeddedClusterStarted")]
    internal static partial void EmbeddedClusterStarted(ILogger logger, int brokers, string bootstrap);

    [LoggerMessage(3, LogLevel.Information, "KafkaFast embedded cluster stopped.", EventName = "EmbeddedClusterStopped")]
    internal static partial void EmbeddedClusterStopped(ILogger logger);

    [LoggerMessage(4, LogLevel.Information, "KafkaFast producer '{Producer}' closing: {InFlight} message(s) in flight, waiting up to {Seconds:F1} s for their delivery.", EventName = "Draining")]
    internal static partial void Draining(ILogger logger, string producer, long inFlight, double seconds);

    [LoggerMessage(5, LogLevel.Information, "KafkaFast producer '{Producer}' closed: every message was delivered ({Accepted} accepted, {Delivered} delivered).", EventName = "ClosedAllDelivered")]
    internal static partial void ClosedAllDelivered(ILogger logger, string producer, long accepted, long delivered);

    [LoggerMessage(6, LogLevel.Error, "KafkaFast producer '{Producer}' closed: {Failed} message(s) were NOT delivered, of {Accepted} accepted ({Delivered} delivered); {PurgedAtClose} of them were still in flight when the {Seconds:F1} s drain ended. Failed by error: {Reasons}.", EventName = "ClosedWithLosses")]
    internal static partial void ClosedWithLosses(ILogger logger, string producer, long failed, long accepted, long delivered, long purgedAtClose, double seconds, string reasons);

    [LoggerMessage(7, LogLevel.Warning, "KafkaFast producer '{Producer}' health changed from {Previous} to {Current}: {Description}", EventName = "HealthChanged")]
    internal static partial void HealthChanged(ILogger logger, string producer, HealthStatus previous, HealthStatus current, string description);

    [LoggerMessage(8, LogLevel.Warning, "KafkaFast producer '{Producer}': monitoring poll failed.", EventName = "MonitorFailed")]
    internal static partial void MonitorFailed(ILogger logger, Exception exception, string producer);

    [LoggerMessage(9, LogLevel.Warning, "KafkaFast producer '{Producer}': librdkafka statistics of client {Client} could not be read.", EventName = "StatisticsUnreadable")]
    internal static partial void StatisticsUnreadable(ILogger logger, Exception exception, string producer, int client);

    [LoggerMessage(11, LogLevel.Debug, "KafkaFast producer '{Producer}' options: {Options}", EventName = "ProducerOptions")]
    internal static partial void ProducerOptions(ILogger logger, string producer, HostedProducerOptions options);

    [LoggerMessage(10, LogLevel.Warning, "KafkaFast: the host's shutdown timeout leaves {Seconds:F1} s to drain the producers.", EventName = "ShortDrain")]
    internal static partial void ShortDrain(ILogger logger, double seconds);
}

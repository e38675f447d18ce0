using Microsoft.Extensions.Logging;

namespace KafkaFast.Consumer.Engine;

/// <summary>Consumer log events: ids 2000-2099. Next free id: 2006.</summary>
internal static partial class ConsumerLog
{
    [LoggerMessage(EventId = 2000, Message = "librdkafka {Facility}: {Text}", EventName = "Librdkafka")]
    internal static partial void Librdkafka(ILogger logger, LogLevel level, string facility, string text);

    [LoggerMessage(2001, LogLevel.Information, "Group {GroupId}: {Count} partition(s) assigned (incremental: {Incremental})", EventName = "PartitionsAssigned")]
    internal static partial void Assigned(ILogger logger, string groupId, int count, bool incremental);

    [LoggerMessage(2002, LogLevel.Information, "Group {GroupId}: {Count} partition(s) revoked", EventName = "PartitionsRevoked")]
    internal static partial void Revoked(ILogger logger, string groupId, int count);

    [LoggerMessage(2005, LogLevel.Warning, "Group {GroupId}: {Count} partition(s) lost (session timed out, fenced or max poll interval exceeded): nothing is committed for them", EventName = "PartitionsLost")]
    internal static partial void Lost(ILogger logger, string groupId, int count);

    [LoggerMessage(2003, LogLevel.Warning, "Group {GroupId}: consumer error {Code} (fatal: {Fatal}): {Reason}", EventName = "ConsumerError")]
    internal static partial void UnhandledError(ILogger logger, string groupId, KafkaErrorCode code, string reason, bool fatal);

    [LoggerMessage(2004, LogLevel.Error, "Group {GroupId}: error while disposing the consumer", EventName = "CloseError")]
    internal static partial void CloseError(ILogger logger, string groupId, Exception exception);
}

using Microsoft.Extensions.Logging;

namespace KafkaFast.Admin;

/// <summary>Admin client log events: ids 3000-3099. Next free id: 3003.</summary>
internal static partial class AdminLog
{
    [LoggerMessage(EventId = 3000, Message = "librdkafka {Facility}: {Text}", EventName = "Librdkafka")]
    internal static partial void Librdkafka(ILogger logger, LogLevel level, string facility, string text);

    [LoggerMessage(3001, LogLevel.Warning, "Admin client error {Code} (fatal: {Fatal}): {Reason}", EventName = "AdminClientError")]
    internal static partial void ClientError(ILogger logger, KafkaErrorCode code, string reason, bool fatal);

    [LoggerMessage(3002, LogLevel.Error, "Admin client: reading a result event failed", EventName = "AdminDispatchFailed")]
    internal static partial void DispatchFailed(ILogger logger, Exception exception);
}

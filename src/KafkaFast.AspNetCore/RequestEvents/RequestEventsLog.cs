using Microsoft.Extensions.Logging;

namespace KafkaFast.AspNetCore.RequestEvents;

/// <summary>Log messages of the request-event middleware (category "KafkaFast.RequestEvents"). Ids 20-39; next free: 26.</summary>
internal static partial class RequestEventsLog
{
    [LoggerMessage(20, LogLevel.Information, "Request events go to topic '{Topic}' through producer '{Producer}' ({Options}).", EventName = "RequestEventsStarted")]
    internal static partial void Started(ILogger logger, string topic, string producer, string options);

    [LoggerMessage(21, LogLevel.Warning, "{Count} request event(s) dropped ({Reason}) in the last {Seconds:F0} s; topic '{Topic}'. The requests were not affected.", EventName = "RequestEventsDropped")]
    internal static partial void Dropped(ILogger logger, long count, string reason, double seconds, string topic);

    [LoggerMessage(22, LogLevel.Warning, "A request event could not be written (hook or serialization error); the request was not affected.", EventName = "RequestEventFailed")]
    internal static partial void EventFailed(ILogger logger, Exception exception);

    [LoggerMessage(23, LogLevel.Information, "Topic '{Topic}' chosen by the topic selector is resolved; its events are now written.", EventName = "TopicResolved")]
    internal static partial void TopicResolved(ILogger logger, string topic);

    [LoggerMessage(24, LogLevel.Error, "Topic '{Topic}' chosen by the topic selector could not be resolved; its events are dropped (retried in 30 s).", EventName = "TopicResolveFailed")]
    internal static partial void TopicResolveFailed(ILogger logger, Exception exception, string topic);

    [LoggerMessage(25, LogLevel.Error, "The topic selector chose more than {Limit} distinct topics; events for new ones are dropped.", EventName = "TooManyTopics")]
    internal static partial void TooManyTopics(ILogger logger, int limit);
}

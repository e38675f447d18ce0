using KafkaFast.Native;
using Microsoft.Extensions.Logging;

namespace KafkaFast.Consumer.Engine;

/// <summary>Errors, log lines and event raising: nothing from librdkafka or a handler is dropped silently.</summary>
internal sealed partial class ConsumerEngine
{
    internal event EventHandler<KafkaErrorEventArgs>? Error;

    void IConsumerCallbackTarget.OnError(nint rk, int err, string reason)
    {
        bool fatal = false;
        var code = (KafkaErrorCode)err;
        if (err == LibRdKafka.ErrFatal)
        {
            fatal = true;
            (int underlying, string text) = LibRdKafka.FatalErrorOf(rk);
            if (underlying != 0)
            {
                code = (KafkaErrorCode)underlying;
                reason = text;
            }

            _fatalError ??= new KafkaException(code, $"Fatal consumer error (the consumer can no longer be used; close it): {reason}");
        }

        RaiseError(code, reason, fatal);
    }

    void IConsumerCallbackTarget.OnAutoCommitFailed(int err, SafeTopicPartitionListHandle? offsets)
    {
        var result = new CommitResult(GroupName);
        result.Complete(err, offsets);
        if (result.Error is { } error)
        {
            RaiseError(error.Code, $"Automatic offset commit failed: {error.Message}", fatal: false);
        }
    }

    void IConsumerCallbackTarget.OnCallbackFailed(Exception exception) => EnqueueError(exception);

    bool IConsumerCallbackTarget.WantsLog(int level) => _logger.IsEnabled(SyslogLevel(level));

    void IConsumerCallbackTarget.OnLog(int level, string facility, string text)
    {
        LogLevel logLevel = SyslogLevel(level);
        ConsumerLog.Librdkafka(_logger, logLevel, facility, text);
    }

    private static LogLevel SyslogLevel(int level) => level switch
    {
        <= 2 => LogLevel.Critical,
        3 => LogLevel.Error,
        4 => LogLevel.Warning,
        5 or 6 => LogLevel.Information,
        _ => LogLevel.Debug,
    };

    /// <summary>
    /// Raises <see cref="Error"/>. When nobody listens it goes to the logger (nowhere without one: a library never
    /// writes to the console on its own). A throwing handler's exception is queued.
    /// </summary>
    private void RaiseError(KafkaErrorCode code, string reason, bool fatal)
    {
        EventHandler<KafkaErrorEventArgs>? handler = Error;
        if (handler is null)
        {
            ConsumerLog.UnhandledError(_logger, GroupName, code, reason, fatal);
            return;
        }

        Raise(handler, new KafkaErrorEventArgs(code, reason, fatal));
    }

    /// <summary>Calls an application handler with the public consumer as sender; its exception is thrown by the next consume call (or Close), never swallowed.</summary>
    private void Raise<T>(EventHandler<T>? handler, T args)
    {
        if (handler is null)
        {
            return;
        }

        try
        {
            handler(Owner, args);
        }
        catch (Exception e)
        {
            EnqueueError(e);
        }
    }
}

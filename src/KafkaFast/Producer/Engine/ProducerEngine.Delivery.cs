using KafkaFast.Buffers;
using KafkaFast.Native;
using Microsoft.Extensions.Logging;

namespace KafkaFast.Producer.Engine;

/// <summary>What workers report to the engine: delivery outcomes, librdkafka errors, logs, statistics.</summary>
internal sealed unsafe partial class ProducerEngine
{
    private readonly Stack<DeliveryCompletionBatch> _completionBatches = new();

    internal DeliveryCompletionBatch RentCompletionBatch() => DeliveryCompletionBatch.Rent(_completionBatches);

    /// <summary>Worker thread: a message was delivered and an awaiter waits for it (completed when the batch runs).</summary>
    internal void CompleteDelivered(DeliveryCompletionBatch completions, MessageRecord* record, int partition, long offset, long timestampMs, int timestampType)
    {
        DeliveryCompletionSource source = Completions.Get(record->CompletionId);
        completions.Add(source, new DeliveryResult(TopicAt(record->TopicIndex).Name, partition, offset,
            DateTimeOffset.FromUnixTimeMilliseconds(Math.Max(timestampMs, 0)), (TimestampType)timestampType));
    }

    /// <summary>
    /// Worker thread: a message failed. Counted, published (with copies of key and value while the unread reports
    /// hold less than FailureBufferBytes of copies, else metadata only), awaiter failed.
    /// </summary>
    internal void CompleteFailed(DeliveryCompletionBatch completions, MessageRecord* record, KafkaErrorCode error, string reason, PersistenceStatus status, int partition)
    {
        string topic = TopicAt(record->TopicIndex).Name;
        lock (_failedByError)
        {
            _failedByError[error] = _failedByError.GetValueOrDefault(error) + 1;
        }

        if (error is KafkaErrorCode.PurgeQueue or KafkaErrorCode.PurgeInFlight)
        {
            Interlocked.Increment(ref _purgedAtClose);
        }

        int keyLength = record->KeyLength, valueLength = record->ValueLength;
        bool keep = _failures.TryReserveCopy((long)keyLength + valueLength);
        byte[] key = keep && keyLength > 0 ? new ReadOnlySpan<byte>(record + 1, keyLength).ToArray() : [];
        byte[] value = keep && valueLength > 0 ? new ReadOnlySpan<byte>((byte*)(record + 1) + keyLength, valueLength).ToArray() : [];
        _failures.Publish(new DeliveryFailure(topic, partition, error, reason, status, key, value, keyLength, valueLength, record->IsKeyNull, record->IsValueNull, keep));
        if (Logger.IsEnabled(Microsoft.Extensions.Logging.LogLevel.Warning))
        {
            ProducerLog.DeliveryFailed(Logger, topic, partition, error, reason);
        }

        if (record->CompletionId != 0)
        {
            completions.Add(Completions.Get(record->CompletionId),
                new ProduceException(error, $"Delivery to {topic}[{partition}] failed: {reason}", topic, partition, status));
        }
    }

    /// <summary>A slab or librdkafka's share was given back: budget waiters retry.</summary>
    internal void OnBudgetFreed() => BudgetFreed.Pulse();

    internal void OnClientDrained()
    {
        if (Drained.HasWaiters)
        {
            Drained.Pulse();
        }
    }

    internal void OnClientError(ProducerClient client, nint ev)
    {
        var code = (KafkaErrorCode)LibRdKafka.EventError(ev);
        string reason = LibRdKafka.Utf8(LibRdKafka.EventErrorString(ev));
        if (LibRdKafka.EventErrorIsFatal(ev) == 0)
        {
            ProducerLog.ClientError(Logger, client.Index, code, reason);
            return;
        }

        // Fatal (idempotence broken): librdkafka fails every queued message itself; we stop accepting.
        byte* buffer = stackalloc byte[512];
        var fatalCode = (KafkaErrorCode)LibRdKafka.FatalError(client.Kafka.DangerousGetHandle(), buffer, 512);
        string fatalReason = LibRdKafka.Utf8(buffer);
        _fatalReason = $"{fatalCode}: {fatalReason}";
        Volatile.Write(ref _fatalCode, (int)fatalCode == 0 ? (int)code : (int)fatalCode);
        ProducerLog.FatalError(Logger, client.Index, fatalCode, fatalReason);
    }

    internal void OnClientLog(ProducerClient client, nint ev)
    {
        byte* facility, text;
        int level;
        if (LibRdKafka.EventLog(ev, &facility, &text, &level) != 0)
        {
            return;
        }

        // syslog levels: 0-2 critical, 3 error, 4 warning, 5-6 information, 7 debug.
        LogLevel mapped = level switch
        {
            <= 2 => LogLevel.Critical,
            3 => LogLevel.Error,
            4 => LogLevel.Warning,
            <= 6 => LogLevel.Information,
            _ => LogLevel.Debug,
        };
        if (Logger.IsEnabled(mapped))
        {
            string facilityText = LibRdKafka.Utf8(facility);
            string message = LibRdKafka.Utf8(text);
            ProducerLog.Librdkafka(Logger, mapped, facilityText, client.Index, message);
        }
    }

    internal void OnClientStatistics(ProducerClient client, string json) => Volatile.Write(ref _statistics[client.Index], json);

    /// <summary>
    /// Tests only (null otherwise): every worker calls it at each <see cref="WorkerFaultPoint"/>; what it throws
    /// crashes that worker, the way any bug inside the loop would. One field read per pass and per delivery-report event.
    /// </summary>
    internal Action<ProducerClient, WorkerFaultPoint>? WorkerFaultHook;

    /// <summary>
    /// Worker thread: its loop threw. The producer becomes fatal (unhealthy; produce calls return false, counted as
    /// Fatal) with the first crash as its reason; waiters for budget or flush re-check at once.
    /// </summary>
    internal void OnWorkerCrashed(ProducerClient client, Exception exception)
    {
        ProducerLog.WorkerCrashed(Logger, exception, client.Index);
        Interlocked.CompareExchange(ref _fatalReason, $"producer worker {client.Index} crashed: {exception.GetType().Name}: {exception.Message}", null);
        Interlocked.CompareExchange(ref _fatalCode, (int)KafkaErrorCode.Fatal, 0);
        BudgetFreed.Pulse();
        Drained.Pulse();
    }

    internal void OnMessagesLostAtShutdown(ProducerClient client, long count) =>
        ProducerLog.LostAtShutdown(Logger, client.Index, count);
}

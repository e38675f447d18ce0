using System.Globalization;
using KafkaFast.Native;

namespace KafkaFast.Producer.Engine;

/// <summary>
/// The metadata thread: one per producer, started with the first topic, asleep between queries. It resolves pending
/// topics (retrying with a backoff while the cluster is unreachable) and re-reads known topics every
/// topic.metadata.refresh.interval.ms (librdkafka's own refresh period), so partitions added to a topic join the
/// partitioner without a restart. rd_kafka_metadata blocks for a round trip: done here, never on a request thread
/// (GetTopicAsync waits for it without holding a thread) nor on a worker.
/// </summary>
internal sealed unsafe partial class ProducerEngine
{
    private const int PendingQueryTimeoutMs = 1000;
    private const int KnownQueryTimeoutMs = 5000;
    private const long MaxPendingBackoffMs = 2000;

    /// <summary>The metadata thread waits on it (Monitor): a new topic, or the end.</summary>
    private readonly object _metadataSignal = new(); // Monitor.Wait/PulseAll: System.Threading.Lock has no condition variable
    private bool _metadataSignalled;
    private Thread? _metadataThread;
    private volatile bool _metadataStop;

    /// <summary>topic.metadata.refresh.interval.ms as configured (librdkafka's default 300000; -1 or 0: never re-read).</summary>
    private long _metadataRefreshMs = 300_000;

    private void StartMetadataThread()
    {
        if (Volatile.Read(ref _metadataThread) is not null)
        {
            SignalMetadataThread();
            return;
        }

        var thread = new Thread(MetadataLoop) { IsBackground = true, Name = "KafkaFast metadata" };
        if (Interlocked.CompareExchange(ref _metadataThread, thread, null) == null)
        {
            thread.UnsafeStart();
        }

        SignalMetadataThread();
    }

    private void SignalMetadataThread()
    {
        lock (_metadataSignal)
        {
            _metadataSignalled = true;
            Monitor.PulseAll(_metadataSignal);
        }
    }

    private void WaitForMetadataSignal(int timeoutMs)
    {
        lock (_metadataSignal)
        {
            if (!_metadataSignalled)
            {
                Monitor.Wait(_metadataSignal, timeoutMs);
            }

            _metadataSignalled = false;
        }
    }

    private static long ReadRefreshInterval(SafeConfigHandle conf) =>
        long.TryParse(LibRdKafka.ConfGetString(conf, "topic.metadata.refresh.interval.ms"), NumberStyles.Integer, CultureInfo.InvariantCulture, out long ms) ? ms : 300_000;

    /// <summary>The last worker stopped: the metadata thread ends after its current query.</summary>
    private void StopMetadataThread()
    {
        _metadataStop = true;
        SignalMetadataThread();
    }

    private void MetadataLoop()
    {
        try
        {
            while (!_metadataStop)
            {
                long now = Environment.TickCount64;
                long next = now + 1000;
                foreach (TopicState topic in Volatile.Read(ref _topics))
                {
                    if (_metadataStop)
                    {
                        return;
                    }

                    if (topic.Refusal is not null)
                    {
                        continue;
                    }

                    if (topic.NextMetadataQuery <= now)
                    {
                        Query(topic);
                    }

                    next = Math.Min(next, topic.NextMetadataQuery);
                }

                WaitForMetadataSignal((int)Math.Clamp(next - Environment.TickCount64, 1, 1000));
            }
        }
        catch (ObjectDisposedException)
        {
            // A client was destroyed under us: the producer is closing.
        }
    }

    private void Query(TopicState topic)
    {
        bool pending = topic.Layout is null;
        (KafkaErrorCode error, int partitions, string? detail) = FetchPartitionCount(0, topic, pending ? PendingQueryTimeoutMs : KnownQueryTimeoutMs);
        long now = Environment.TickCount64;
        if (error == KafkaErrorCode.NoError)
        {
            int known = topic.PartitionCount;
            if (partitions > known && OtherClientsKnow(topic, partitions))
            {
                PublishLayout(topic, new TopicLayout(topic.Index, partitions, _clients.Length));
                ProducerLog.TopicPartitions(Logger, topic.Name, partitions, known);
                WakeAll(); // the home worker partitions what it holds for a pending topic
            }
            else if (partitions > known)
            {
                topic.NextMetadataQuery = now + 200; // another client's librdkafka does not know them yet
                return;
            }

            topic.LastMetadataError = KafkaErrorCode.NoError;
            topic.PendingBackoffMs = 0;
            topic.NextMetadataQuery = _metadataRefreshMs > 0 ? now + _metadataRefreshMs : long.MaxValue;
            return;
        }

        topic.LastMetadataError = error;
        if (pending && error is KafkaErrorCode.TopicAuthorizationFailed or KafkaErrorCode.InvalidTopic)
        {
            string reason = $"Topic '{topic.Name}' was refused by the cluster: {ErrorText((int)error)}{(detail is null ? "" : $" ({detail})")}.";
            topic.Refuse(new KafkaException(error, reason));
            ProducerLog.TopicRefused(Logger, topic.Name, error, reason);
            WakeAll(); // its pending messages fail with this reason
            return;
        }

        if (pending)
        {
            // Unreachable, or the topic is being created (leader not available yet): soon again, backing off.
            topic.PendingBackoffMs = Math.Min(MaxPendingBackoffMs, Math.Max(50, topic.PendingBackoffMs * 2));
            topic.NextMetadataQuery = now + topic.PendingBackoffMs;
        }
        else
        {
            topic.NextMetadataQuery = now + 1000; // a known topic keeps its layout (and librdkafka its own view); asked again soon
        }
    }

    /// <summary>
    /// Asks every other client's librdkafka for the topic (which updates its cache): a message naming a partition
    /// its librdkafka does not know yet would fail. True when all of them know at least <paramref name="partitions"/>.
    /// </summary>
    private bool OtherClientsKnow(TopicState topic, int partitions)
    {
        for (int i = 1; i < _clients.Length; i++)
        {
            (KafkaErrorCode error, int count, _) = FetchPartitionCount(i, topic, KnownQueryTimeoutMs);
            if (error != KafkaErrorCode.NoError || count < partitions)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>One rd_kafka_metadata request for the topic through client <paramref name="clientIndex"/> (the producer's cluster may create the topic).</summary>
    private (KafkaErrorCode Error, int Partitions, string? Detail) FetchPartitionCount(int clientIndex, TopicState topic, int timeoutMs)
    {
        RdKafkaMetadata* metadata = null;
        int err = LibRdKafka.Metadata(_clients[clientIndex].Kafka, 0, topic.Handles[clientIndex], &metadata, timeoutMs);
        if (err != 0)
        {
            return ((KafkaErrorCode)err, 0, null);
        }

        try
        {
            for (int i = 0; i < metadata->TopicCount; i++)
            {
                RdKafkaMetadataTopic* t = &metadata->Topics[i];
                if (LibRdKafka.Utf8(t->Topic) != topic.Name)
                {
                    continue;
                }

                if (t->Err == 0 && t->PartitionCount > 0)
                {
                    return (KafkaErrorCode.NoError, t->PartitionCount, null);
                }

                return (t->Err == 0 ? KafkaErrorCode.LeaderNotAvailable : (KafkaErrorCode)t->Err, 0, null);
            }

            return (KafkaErrorCode.UnknownTopicOrPartition, 0, null);
        }
        finally
        {
            LibRdKafka.MetadataDestroy(metadata);
        }
    }
}

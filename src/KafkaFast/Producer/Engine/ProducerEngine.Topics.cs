using KafkaFast.Configuration;
using KafkaFast.Native;

namespace KafkaFast.Producer.Engine;

/// <summary>The topic registry: resolved once per topic (metadata and a librdkafka topic handle per client).</summary>
internal sealed unsafe partial class ProducerEngine
{
    private readonly Lock _topicsLock = new();
    private readonly Dictionary<string, TopicState> _topicsByName = new(StringComparer.Ordinal);

    /// <summary>Indexed by <see cref="TopicState.Index"/>; replaced (never mutated) when a topic is added.</summary>
    private TopicState[] _topics = [];

    internal TopicState TopicAt(int index) => Volatile.Read(ref _topics)[index];

    internal bool TryGetTopic(string name, out TopicState? topic)
    {
        lock (_topicsLock)
        {
            return _topicsByName.TryGetValue(name, out topic);
        }
    }

    /// <summary>Resolves a topic: blocks for its metadata (the cluster may create it) up to MetadataTimeout.</summary>
    internal TopicState ResolveTopic(string name)
    {
        TopicName.Validate(name, "topic");
        lock (_topicsLock)
        {
            if (IsFatal)
            {
                throw new KafkaException(KafkaErrorCode.Fatal, $"The producer stopped after a fatal error: {_fatalReason}");
            }

            if (IsClosing)
            {
                ThrowClosed();
            }

            if (_topicsByName.TryGetValue(name, out TopicState? known))
            {
                return known;
            }

            var handles = new SafeTopicHandle[_clients.Length];
            try
            {
                for (int i = 0; i < handles.Length; i++)
                {
                    handles[i] = new SafeTopicHandle(_clients[i].Kafka, LibRdKafka.TopicNew(_clients[i].Kafka, name, 0));
                    if (handles[i].IsInvalid)
                    {
                        throw new KafkaException(KafkaErrorCode.InvalidTopic, $"librdkafka refused topic '{name}'.");
                    }
                }

                int partitions = FetchPartitionCount(name, handles[0]);
                var topic = new TopicState(name, _topics.Length, partitions, _clients.Length, handles);
                _topicsByName.Add(name, topic);
                Volatile.Write(ref _topics, [.. _topics, topic]);
                return topic;
            }
            catch
            {
                foreach (SafeTopicHandle? handle in handles)
                {
                    handle?.Dispose();
                }

                throw;
            }
        }
    }

    private int FetchPartitionCount(string name, SafeTopicHandle topic)
    {
        long deadline = Environment.TickCount64 + (long)Options.MetadataTimeout.TotalMilliseconds;
        KafkaErrorCode last = KafkaErrorCode.TimedOut;
        while (true)
        {
            int remaining = (int)Math.Max(1, deadline - Environment.TickCount64);
            RdKafkaMetadata* metadata = null;
            int err = LibRdKafka.Metadata(_clients[0].Kafka, 0, topic, &metadata, remaining);
            if (err == 0)
            {
                try
                {
                    for (int i = 0; i < metadata->TopicCount; i++)
                    {
                        RdKafkaMetadataTopic* t = &metadata->Topics[i];
                        if (LibRdKafka.Utf8(t->Topic) != name)
                        {
                            continue;
                        }

                        if (t->Err == 0 && t->PartitionCount > 0)
                        {
                            return t->PartitionCount;
                        }

                        last = (KafkaErrorCode)t->Err;
                    }
                }
                finally
                {
                    LibRdKafka.MetadataDestroy(metadata);
                }
            }
            else
            {
                last = (KafkaErrorCode)err;
            }

            if (last is KafkaErrorCode.TopicAuthorizationFailed or KafkaErrorCode.InvalidTopic || Environment.TickCount64 >= deadline)
            {
                throw new KafkaException(last, $"Topic '{name}' is not available: {ErrorText((int)last)} (waited up to {Options.MetadataTimeout.TotalSeconds:0.#} s for its metadata).");
            }

            Thread.Sleep(50); // the topic may be being created (leader not available yet)
        }
    }

    /// <summary>Worker thread, at shutdown: destroys this client's topic handles (before its rd_kafka_t).</summary>
    internal void ReleaseTopicHandles(int clientIndex)
    {
        lock (_topicsLock)
        {
            foreach (TopicState topic in _topics)
            {
                topic.Handles[clientIndex].Dispose();
            }
        }
    }
}

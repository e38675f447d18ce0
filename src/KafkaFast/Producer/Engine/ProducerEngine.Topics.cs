using System.Runtime.ExceptionServices;
using KafkaFast.Configuration;
using KafkaFast.Native;

namespace KafkaFast.Producer.Engine;

/// <summary>
/// The topic registry: each topic is registered once (a librdkafka topic handle per client), and its partitions
/// come from the metadata thread (ProducerEngine.Metadata.cs). Resolving never fails because the cluster is
/// unreachable: the topic is then pending (see <see cref="TopicState"/>).
/// </summary>
internal sealed partial class ProducerEngine
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

    /// <summary>
    /// GetTopic: registers a topic and blocks up to MetadataTimeout for its partitions. Returns the topic, known or
    /// pending (the cluster did not answer). Throws when the cluster refused it (authorization, invalid) or answered
    /// that it does not exist.
    /// </summary>
    internal TopicState ResolveTopic(string name)
    {
        TopicState topic = RegisterTopic(name);
        if (topic.Layout is null)
        {
            try
            {
                _ = topic.Resolved.Wait(Options.MetadataTimeout);
            }
            catch (AggregateException e) when (e.InnerException is not null)
            {
                ExceptionDispatchInfo.Throw(e.InnerException); // refused, or the producer is closing
            }
        }

        return Verdict(topic);
    }

    /// <summary>GetTopicAsync: <see cref="ResolveTopic"/> without holding a thread while it waits.</summary>
    internal async ValueTask<TopicState> ResolveTopicAsync(string name, CancellationToken cancellationToken)
    {
        TopicState topic = RegisterTopic(name);
        if (topic.Layout is null)
        {
            try
            {
                await topic.Resolved.WaitAsync(Options.MetadataTimeout, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // Pending: decided below.
            }
        }

        return Verdict(topic);
    }

    /// <summary>After the wait: the topic, known or pending; throws if the cluster answered that it does not exist.</summary>
    private TopicState Verdict(TopicState topic)
    {
        if (topic.Layout is not null)
        {
            return topic;
        }

        if (topic.LastMetadataError == KafkaErrorCode.UnknownTopicOrPartition)
        {
            throw new KafkaException(KafkaErrorCode.UnknownTopicOrPartition,
                $"Topic '{topic.Name}' does not exist: the cluster answered so for {Options.MetadataTimeout.TotalSeconds:0.#} s and does not create it (create it first, or enable auto-creation).");
        }

        ProducerLog.TopicPending(Logger, topic.Name, Options.MetadataTimeout.TotalSeconds, topic.LastMetadataError);
        return topic;
    }

    private TopicState RegisterTopic(string name)
    {
        TopicName.Validate(name, "topic");
        TopicState topic;
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
                if (known.Refusal is { } refusal)
                {
                    throw new KafkaException(refusal.Code, refusal.Message);
                }

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
            }
            catch
            {
                foreach (SafeTopicHandle? handle in handles)
                {
                    handle?.Dispose();
                }

                throw;
            }

            topic = new TopicState(name, _topics.Length, _clients.Length, handles, StickyMilliseconds);
            _topicsByName.Add(name, topic);
            Volatile.Write(ref _topics, [.. _topics, topic]);
        }

        StartMetadataThread();
        return topic;
    }

    private int _heldTopics;

    /// <summary>Topics whose first layout was published while other clients must hold them (see <see cref="TopicState"/>).</summary>
    internal int HeldTopicCount => Volatile.Read(ref _heldTopics);

    internal IEnumerable<TopicState> HeldTopics() => Volatile.Read(ref _topics).Where(t => t.HeldForHome);

    /// <summary>Metadata thread: publishes a topic's layout (first, or grown).</summary>
    private void PublishLayout(TopicState topic, TopicLayout layout)
    {
        bool first = topic.Layout is null;
        topic.Publish(layout);
        if (first && topic.HeldForHome)
        {
            Interlocked.Increment(ref _heldTopics);
        }
    }

    /// <summary>Home worker: the switch is over; other clients may hand the topic's records over.</summary>
    internal void ReleaseHold(TopicState topic)
    {
        topic.HeldForHome = false;
        Interlocked.Decrement(ref _heldTopics);
        WakeAll();
    }

    /// <summary>Topics whose partitions are not known yet.</summary>
    internal List<string> PendingTopicNames() => Volatile.Read(ref _topics).Where(t => t.Layout is null && t.Refusal is null).Select(t => t.Name).ToList();

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

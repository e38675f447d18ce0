using System.Collections.Concurrent;
using KafkaFast.Producer;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace KafkaFast.AspNetCore.RequestEvents;

/// <summary>
/// The topic of one event: the configured one, or the TopicSelector hook's. A topic not seen before is resolved on the
/// thread pool, and its events are dropped (reason "topic_unavailable") until it is, rather than making the request
/// wait for metadata; a failed resolution is retried after 30 s; at most <see cref="MaxDynamicTopics"/> topics.
/// </summary>
internal sealed class RequestEventTopicSelector
{
    internal const int MaxDynamicTopics = 64;

    private static readonly TimeSpan s_retry = TimeSpan.FromSeconds(30);

    private readonly Func<HttpContext, string?>? _selector;
    private readonly KafkaProducer _producer;
    private readonly RequestEventDrops _drops;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, KafkaTopic> _dynamic = new(StringComparer.Ordinal);

    // Topic name -> 0 while resolving, or when it failed (Environment.TickCount64): retried after s_retry.
    private readonly ConcurrentDictionary<string, long> _resolving = new(StringComparer.Ordinal);

    public RequestEventTopicSelector(KafkaRequestEventOptions options, KafkaProducer producer, KafkaTopic topic, RequestEventDrops drops, ILogger logger)
    {
        _selector = options.TopicSelector;
        _producer = producer;
        Topic = topic;
        _drops = drops;
        _logger = logger;
    }

    /// <summary>The configured topic (resolved at start-up).</summary>
    public KafkaTopic Topic { get; }

    /// <summary>The event's topic, or null when it is not resolved yet (the event was counted as dropped).</summary>
    public KafkaTopic? Select(HttpContext context)
    {
        if (_selector is not { } selector)
        {
            return Topic;
        }

        string? name = selector(context);
        if (name is null || name == Topic.Name)
        {
            return Topic;
        }

        if (_dynamic.TryGetValue(name, out KafkaTopic? topic))
        {
            return topic;
        }

        StartResolving(name);
        _drops.Drop(DropReason.TopicUnavailable, name);
        return null;
    }

    private void StartResolving(string name)
    {
        long now = Environment.TickCount64;
        if (_resolving.TryGetValue(name, out long failedAt))
        {
            if (failedAt == 0 || now - failedAt < (long)s_retry.TotalMilliseconds || !_resolving.TryUpdate(name, 0, failedAt))
            {
                return; // resolving now, or failed recently
            }
        }
        else
        {
            if (_resolving.Count + _dynamic.Count >= MaxDynamicTopics)
            {
                RequestEventsLog.TooManyTopics(_logger, MaxDynamicTopics);
                return;
            }

            if (!_resolving.TryAdd(name, 0))
            {
                return;
            }
        }

        ThreadPool.UnsafeQueueUserWorkItem(static s =>
        {
            (RequestEventTopicSelector self, string topicName) = s;
            try
            {
                KafkaTopic resolved = self._producer.GetTopic(topicName);
                self._dynamic[topicName] = resolved;
                self._resolving.TryRemove(topicName, out _);
                RequestEventsLog.TopicResolved(self._logger, topicName);
            }
            catch (Exception ex)
            {
                self._resolving[topicName] = Math.Max(1, Environment.TickCount64);
                RequestEventsLog.TopicResolveFailed(self._logger, ex, topicName);
            }
        }, (this, name), preferLocal: false);
    }
}

using KafkaFast.Native;

namespace KafkaFast.Admin;

public sealed partial class KafkaAdminClient
{
    /// <summary>Creates topics. The broker answers once they exist (or the request timeout passes).</summary>
    /// <exception cref="ArgumentException">A name, partition count, replication factor or config is invalid, or a topic is named twice.</exception>
    /// <exception cref="KafkaAdminException">The request failed, or some topics were not created (e.g. <see cref="KafkaErrorCode.TopicAlreadyExists"/>); Results says which.</exception>
    public Task CreateTopicsAsync(IEnumerable<NewTopic> topics, CancellationToken cancellationToken = default)
    {
        NewTopic[] list = AdminArguments.NewTopics(topics, nameof(topics));
        var request = AdminRequestName.Of("CreateTopics", "topic", [.. list.Select(t => t.Name)]);
        var specs = list.Select(t => (t.Name, t.Partitions, (int)t.ReplicationFactor, (IReadOnlyList<KeyValuePair<string, string>>)[.. t.Configs])).ToArray();
        return Start(request, LibRdKafka.AdminOpCreateTopics, _requestTimeoutMs,
            (rk, queue, settings) => AdminCalls.CreateTopics(rk, queue, settings, specs),
            ev => CheckTopicResults(request, ev), cancellationToken);
    }

    /// <summary>Creates one topic: see <see cref="CreateTopicsAsync"/>.</summary>
    /// <param name="name">The topic name.</param>
    /// <param name="partitions">Partition count, or -1 for the broker's default.</param>
    /// <param name="replicationFactor">Replication factor, or -1 for the broker's default.</param>
    /// <param name="cancellationToken">Stops waiting (the topic may still be created).</param>
    public Task CreateTopicAsync(string name, int partitions = -1, short replicationFactor = -1, CancellationToken cancellationToken = default) =>
        CreateTopicsAsync([new NewTopic(name, partitions, replicationFactor)], cancellationToken);

    /// <summary>Deletes topics and their messages.</summary>
    /// <exception cref="ArgumentException">A name is invalid or named twice.</exception>
    /// <exception cref="KafkaAdminException">The request failed, or some topics were not deleted (e.g. <see cref="KafkaErrorCode.UnknownTopicOrPartition"/>).</exception>
    public Task DeleteTopicsAsync(IEnumerable<string> topics, CancellationToken cancellationToken = default)
    {
        string[] names = AdminArguments.Topics(topics, nameof(topics));
        var request = AdminRequestName.Of("DeleteTopics", "topic", names);
        return Start(request, LibRdKafka.AdminOpDeleteTopics, _requestTimeoutMs,
            (rk, queue, settings) => AdminCalls.DeleteTopics(rk, queue, settings, names),
            ev => CheckTopicResults(request, ev), cancellationToken);
    }

    /// <summary>Grows a topic to <paramref name="totalCount"/> partitions (Kafka cannot remove partitions).</summary>
    /// <exception cref="ArgumentException">The name is invalid or the count is below 1.</exception>
    /// <exception cref="KafkaAdminException">The request failed (e.g. <see cref="KafkaErrorCode.InvalidPartitions"/> when the topic already has that many).</exception>
    public Task CreatePartitionsAsync(string topic, int totalCount, CancellationToken cancellationToken = default)
    {
        string name = AdminArguments.Topics([topic], nameof(topic))[0];
        ArgumentOutOfRangeException.ThrowIfLessThan(totalCount, 1);
        var request = new AdminRequestName("CreatePartitions", $"topic '{name}'");
        (string, int)[] specs = [(name, totalCount)];
        return Start(request, LibRdKafka.AdminOpCreatePartitions, _requestTimeoutMs,
            (rk, queue, settings) => AdminCalls.CreatePartitions(rk, queue, settings, specs),
            ev => CheckTopicResults(request, ev), cancellationToken);
    }

    /// <summary>Describes topics (partitions, leaders, replicas) with the DescribeTopics request (Kafka 3.x brokers and later).</summary>
    /// <exception cref="KafkaAdminException">The request failed, or a topic could not be described (e.g. it does not exist).</exception>
    public Task<IReadOnlyList<TopicDescription>> DescribeTopicsAsync(IEnumerable<string> topics, CancellationToken cancellationToken = default)
    {
        string[] names = AdminArguments.Topics(topics, nameof(topics));
        var request = AdminRequestName.Of("DescribeTopics", "topic", names);
        return Start(request, LibRdKafka.AdminOpDescribeTopics, 0,
            (rk, queue, settings) => AdminCalls.DescribeTopics(rk, queue, settings, names),
            ev =>
            {
                AdminNativeTopic[] described = AdminEvents.TopicDescriptions(ev);
                AdminErrors.ThrowIfAnyFailed(request, [.. described.Select(t => AdminErrors.Item(t.Name, t.Error))]);
                return (IReadOnlyList<TopicDescription>)[.. described.Select(ToDescription).OrderBy(t => t.Name, StringComparer.Ordinal)];
            }, cancellationToken);
    }

    /// <summary>
    /// The cluster's brokers and topics from a metadata request (every broker, including the embedded cluster, serves
    /// it). librdkafka's metadata call is synchronous: this occupies a thread-pool thread until the answer, at most
    /// the request timeout; <paramref name="cancellationToken"/> stops the wait, not the call.
    /// </summary>
    /// <exception cref="KafkaAdminException">No answer before the request timeout (<see cref="KafkaErrorCode.TimedOut"/>), or the request failed.</exception>
    public Task<ClusterMetadata> GetMetadataAsync(CancellationToken cancellationToken = default)
    {
        int timeout = _requestTimeoutMs;
        SafeKafkaHandle rk = _rk;
        ObjectDisposedException.ThrowIf(rk.IsClosed, this);
        Task<ClusterMetadata> metadata = Task.Run(() =>
        {
            try
            {
                (AdminNativeTopic[] topics, AdminNativeNode[] brokers) = AdminCalls.Metadata(rk, timeout);
                return new ClusterMetadata(
                    [.. brokers.Select(b => new BrokerNode(b.Id, b.Host, b.Port)).OrderBy(b => b.Id)],
                    [.. topics.Where(t => t.Error.Code == 0).Select(ToDescription).OrderBy(t => t.Name, StringComparer.Ordinal)]);
            }
            catch (LibrdkafkaCallException e)
            {
                throw AdminErrors.RequestFailed(new AdminRequestName("Metadata", string.Empty), new AdminNativeError(e.Code, e.Message));
            }
            catch (ObjectDisposedException)
            {
                throw new KafkaAdminException("Metadata", KafkaErrorCode.Destroy, "Metadata failed: the admin client was disposed before the answer arrived.", []);
            }
        }, CancellationToken.None);
        return cancellationToken.CanBeCanceled ? metadata.WaitAsync(cancellationToken) : metadata;
    }

    /// <summary>Every topic of the cluster with its partitions (from <see cref="GetMetadataAsync"/>), ordered by name.</summary>
    /// <param name="includeInternal">Whether to include Kafka's own topics (names starting with "__").</param>
    /// <param name="cancellationToken">Stops the wait.</param>
    public async Task<IReadOnlyList<TopicDescription>> ListTopicsAsync(bool includeInternal = false, CancellationToken cancellationToken = default)
    {
        ClusterMetadata metadata = await GetMetadataAsync(cancellationToken).ConfigureAwait(false);
        return includeInternal ? metadata.Topics : [.. metadata.Topics.Where(t => !t.IsInternal)];
    }

    /// <summary>Throws when a topic of a CreateTopics, DeleteTopics or CreatePartitions result failed; true otherwise.</summary>
    private static bool CheckTopicResults(AdminRequestName request, SafeEventHandle ev)
    {
        AdminErrors.ThrowIfAnyFailed(request, [.. AdminEvents.TopicResults(ev).Select(t => AdminErrors.Item(t.Name, t.Error))]);
        return true;
    }

    private static TopicDescription ToDescription(AdminNativeTopic topic) =>
        new(topic.Name, topic.IsInternal, [.. topic.Partitions
            .Select(p => new TopicPartitionInfo(p.Partition, p.Leader, p.Replicas, p.InSyncReplicas))
            .OrderBy(p => p.Partition)]);
}

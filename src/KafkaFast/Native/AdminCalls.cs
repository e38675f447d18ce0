using System.Runtime.InteropServices;
using System.Text;

namespace KafkaFast.Native;

/// <summary>How one admin request is made: its API, the opaque its result event carries, and its timeouts.</summary>
/// <param name="Api">rd_kafka_admin_op_t (LibRdKafka.AdminOp*).</param>
/// <param name="Opaque">Comes back with the result event (rd_kafka_event_opaque).</param>
/// <param name="RequestTimeoutMs">librdkafka fails the request with __TIMED_OUT after this long, answer or not.</param>
/// <param name="OperationTimeoutMs">0, or how long the broker waits for the operation to complete (topic and partition changes only).</param>
internal readonly record struct AdminRequestSettings(int Api, nint Opaque, int RequestTimeoutMs, int OperationTimeoutMs = 0);

/// <summary>
/// Issues Admin API requests from plain arguments (names, counts, key/value pairs): builds librdkafka's argument
/// objects behind SafeHandles, makes the call (which copies them), and destroys them. The result arrives later as an
/// event on the client's <see cref="AdminEventQueue"/>. Bad arguments librdkafka refuses while building throw
/// <see cref="ArgumentException"/> with librdkafka's reason; callers validate first, so that is a second line.
/// </summary>
internal static unsafe class AdminCalls
{
    private const int ErrorSize = 512;

    internal static void CreateTopics(SafeKafkaHandle rk, AdminEventQueue queue, in AdminRequestSettings settings,
        IReadOnlyList<(string Name, int Partitions, int ReplicationFactor, IReadOnlyList<KeyValuePair<string, string>> Configs)> topics)
    {
        var arguments = new SafeAdminArgumentHandle[topics.Count];
        try
        {
            byte* errstr = stackalloc byte[ErrorSize];
            for (int i = 0; i < topics.Count; i++)
            {
                var topic = topics[i];
                var newTopic = new SafeNewTopicHandle(LibRdKafka.NewTopicNew(topic.Name, topic.Partitions, topic.ReplicationFactor, errstr, ErrorSize));
                arguments[i] = newTopic;
                if (newTopic.IsInvalid)
                {
                    throw new ArgumentException($"Topic '{topic.Name}': {LibRdKafka.Utf8(errstr)}");
                }

                foreach ((string name, string value) in topic.Configs)
                {
                    int err = LibRdKafka.NewTopicSetConfig(newTopic.Pointer, name, value);
                    if (err != 0)
                    {
                        throw new ArgumentException($"Topic '{topic.Name}': config '{name}': {LibRdKafka.ErrorText(err)}");
                    }
                }
            }

            Issue(rk, queue, settings, arguments, &LibRdKafka.CreateTopics);
        }
        finally
        {
            DisposeAll(arguments);
        }
    }

    internal static void DeleteTopics(SafeKafkaHandle rk, AdminEventQueue queue, in AdminRequestSettings settings, IReadOnlyList<string> topics)
    {
        var arguments = new SafeAdminArgumentHandle[topics.Count];
        try
        {
            for (int i = 0; i < topics.Count; i++)
            {
                arguments[i] = new SafeDeleteTopicHandle(LibRdKafka.DeleteTopicNew(topics[i]));
                ThrowIfInvalid(arguments[i], $"Topic '{topics[i]}'");
            }

            Issue(rk, queue, settings, arguments, &LibRdKafka.DeleteTopics);
        }
        finally
        {
            DisposeAll(arguments);
        }
    }

    internal static void CreatePartitions(SafeKafkaHandle rk, AdminEventQueue queue, in AdminRequestSettings settings, IReadOnlyList<(string Topic, int TotalCount)> topics)
    {
        var arguments = new SafeAdminArgumentHandle[topics.Count];
        try
        {
            byte* errstr = stackalloc byte[ErrorSize];
            for (int i = 0; i < topics.Count; i++)
            {
                arguments[i] = new SafeNewPartitionsHandle(LibRdKafka.NewPartitionsNew(topics[i].Topic, (nuint)topics[i].TotalCount, errstr, ErrorSize));
                if (arguments[i].IsInvalid)
                {
                    throw new ArgumentException($"Topic '{topics[i].Topic}': {LibRdKafka.Utf8(errstr)}");
                }
            }

            Issue(rk, queue, settings, arguments, &LibRdKafka.CreatePartitions);
        }
        finally
        {
            DisposeAll(arguments);
        }
    }

    internal static void DescribeTopics(SafeKafkaHandle rk, AdminEventQueue queue, in AdminRequestSettings settings, IReadOnlyList<string> topics)
    {
        using var collection = new SafeTopicCollectionHandle(WithUtf8Strings(topics, 0, static (names, count, _) => LibRdKafka.TopicCollectionOfTopicNames(names, count)));
        ThrowIfInvalid(collection, "Topic collection");
        using var client = new HandleLease(rk);
        using var rkqu = new HandleLease(queue.Handle);
        using SafeAdminOptionsHandle options = Options(rk, client.Pointer, settings);
        LibRdKafka.DescribeTopics(client.Pointer, collection.Pointer, options.DangerousGetHandle(), rkqu.Pointer);
    }

    internal static void DescribeConfigs(SafeKafkaHandle rk, AdminEventQueue queue, in AdminRequestSettings settings, int resourceType, string resourceName) =>
        IssueOne(rk, queue, settings, new SafeConfigResourceHandle(LibRdKafka.ConfigResourceNew(resourceType, resourceName)), $"Resource '{resourceName}'",
            null, &LibRdKafka.DescribeConfigs);

    /// <summary>Alterations: op 0 set, 1 delete, 2 append, 3 subtract; value null for delete.</summary>
    internal static void IncrementalAlterConfigs(SafeKafkaHandle rk, AdminEventQueue queue, in AdminRequestSettings settings, int resourceType, string resourceName,
        IReadOnlyList<(string Name, int Operation, string? Value)> alterations) =>
        IssueOne(rk, queue, settings, new SafeConfigResourceHandle(LibRdKafka.ConfigResourceNew(resourceType, resourceName)), $"Resource '{resourceName}'",
            resource =>
            {
                foreach ((string name, int operation, string? value) in alterations)
                {
                    nint error = LibRdKafka.ConfigResourceAddIncrementalConfig(resource, name, operation, value);
                    if (error != 0)
                    {
                        (_, string text) = LibRdKafka.TakeError(error);
                        throw new ArgumentException($"Config '{name}' of '{resourceName}': {text}");
                    }
                }
            },
            &LibRdKafka.IncrementalAlterConfigs);

    /// <summary>States: rd_kafka_consumer_group_state_t values to match (empty: every group).</summary>
    internal static void ListConsumerGroups(SafeKafkaHandle rk, AdminEventQueue queue, in AdminRequestSettings settings, IReadOnlyList<int> states)
    {
        using var client = new HandleLease(rk);
        using var rkqu = new HandleLease(queue.Handle);
        using SafeAdminOptionsHandle options = Options(rk, client.Pointer, settings);
        if (states.Count > 0)
        {
            int[] values = [.. states];
            fixed (int* p = values)
            {
                ThrowIfError(LibRdKafka.AdminOptionsSetMatchConsumerGroupStates(options.DangerousGetHandle(), p, (nuint)values.Length), "group states");
            }
        }

        LibRdKafka.ListConsumerGroups(client.Pointer, options.DangerousGetHandle(), rkqu.Pointer);
    }

    internal static void DescribeConsumerGroups(SafeKafkaHandle rk, AdminEventQueue queue, in AdminRequestSettings settings, IReadOnlyList<string> groups)
    {
        using var client = new HandleLease(rk);
        using var rkqu = new HandleLease(queue.Handle);
        using SafeAdminOptionsHandle options = Options(rk, client.Pointer, settings);
        var pointers = (Client: client.Pointer, Options: options.DangerousGetHandle(), Queue: rkqu.Pointer);
        WithUtf8Strings(groups, pointers, static (names, count, p) =>
        {
            LibRdKafka.DescribeConsumerGroups(p.Client, names, count, p.Options, p.Queue);
            return 0;
        });
    }

    /// <summary>Partitions null: every partition the group has committed offsets for.</summary>
    internal static void ListConsumerGroupOffsets(SafeKafkaHandle rk, AdminEventQueue queue, in AdminRequestSettings settings, string group, IReadOnlyList<(string Topic, int Partition)>? partitions)
    {
        SafeListConsumerGroupOffsetsHandle request;
        if (partitions is null)
        {
            request = new SafeListConsumerGroupOffsetsHandle(LibRdKafka.ListConsumerGroupOffsetsNew(group, null));
        }
        else
        {
            using SafeTopicPartitionListHandle list = PartitionList(partitions.Select(p => (p.Topic, p.Partition, KafkaOffsetInvalid)).ToArray());
            request = new SafeListConsumerGroupOffsetsHandle(LibRdKafka.ListConsumerGroupOffsetsNew(group, list.List));
        }

        IssueOne(rk, queue, settings, request, $"Group '{group}'", null, &LibRdKafka.ListConsumerGroupOffsets);
    }

    internal static void AlterConsumerGroupOffsets(SafeKafkaHandle rk, AdminEventQueue queue, in AdminRequestSettings settings, string group, IReadOnlyList<(string Topic, int Partition, long Offset)> offsets)
    {
        SafeAlterConsumerGroupOffsetsHandle request;
        using (SafeTopicPartitionListHandle list = PartitionList(offsets))
        {
            request = new SafeAlterConsumerGroupOffsetsHandle(LibRdKafka.AlterConsumerGroupOffsetsNew(group, list.List));
        }

        IssueOne(rk, queue, settings, request, $"Group '{group}'", null, &LibRdKafka.AlterConsumerGroupOffsets);
    }

    /// <summary>
    /// The offset of each partition is its spec: -1 latest, -2 earliest, -3 max timestamp, else a timestamp in ms.
    /// Isolation level: 0 read_uncommitted, 1 read_committed.
    /// </summary>
    internal static void ListOffsets(SafeKafkaHandle rk, AdminEventQueue queue, in AdminRequestSettings settings, IReadOnlyList<(string Topic, int Partition, long Spec)> partitions, int isolationLevel)
    {
        using SafeTopicPartitionListHandle list = PartitionList(partitions);
        using var client = new HandleLease(rk);
        using var rkqu = new HandleLease(queue.Handle);
        using SafeAdminOptionsHandle options = Options(rk, client.Pointer, settings);
        ThrowIfError(LibRdKafka.AdminOptionsSetIsolationLevel(options.DangerousGetHandle(), isolationLevel), "isolation level");
        LibRdKafka.ListOffsets(client.Pointer, list.List, options.DangerousGetHandle(), rkqu.Pointer);
    }

    /// <summary>
    /// Every topic of the cluster with its partitions, and the brokers, from a metadata request. Synchronous:
    /// librdkafka has no asynchronous metadata call, so this blocks the calling thread up to <paramref name="timeoutMs"/>.
    /// </summary>
    internal static (AdminNativeTopic[] Topics, AdminNativeNode[] Brokers) Metadata(SafeKafkaHandle rk, int timeoutMs)
    {
        RdKafkaMetadata* metadata = null;
        int err = LibRdKafka.MetadataAll(rk, 1, 0, &metadata, timeoutMs);
        if (err != 0)
        {
            throw new LibrdkafkaCallException(err, LibRdKafka.ErrorText(err));
        }

        try
        {
            var brokers = new AdminNativeNode[metadata->BrokerCount];
            var brokerArray = (RdKafkaMetadataBroker*)metadata->Brokers;
            for (int i = 0; i < brokers.Length; i++)
            {
                brokers[i] = new AdminNativeNode(brokerArray[i].Id, LibRdKafka.Utf8(brokerArray[i].Host), brokerArray[i].Port);
            }

            var topics = new AdminNativeTopic[metadata->TopicCount];
            for (int t = 0; t < topics.Length; t++)
            {
                RdKafkaMetadataTopic* topic = &metadata->Topics[t];
                var partitionArray = (RdKafkaMetadataPartition*)topic->Partitions;
                var partitions = new AdminNativePartition[topic->PartitionCount];
                for (int p = 0; p < partitions.Length; p++)
                {
                    RdKafkaMetadataPartition* partition = &partitionArray[p];
                    partitions[p] = new AdminNativePartition(partition->Id, partition->Leader,
                        new ReadOnlySpan<int>(partition->Replicas, partition->ReplicaCount).ToArray(),
                        new ReadOnlySpan<int>(partition->Isrs, partition->IsrCount).ToArray(),
                        new AdminNativeError(partition->Err, partition->Err == 0 ? string.Empty : LibRdKafka.ErrorText(partition->Err)));
                }

                string name = LibRdKafka.Utf8(topic->Topic);
                topics[t] = new AdminNativeTopic(name, new AdminNativeError(topic->Err, topic->Err == 0 ? string.Empty : LibRdKafka.ErrorText(topic->Err)),
                    name.StartsWith("__", StringComparison.Ordinal), partitions);
            }

            return (topics, brokers);
        }
        finally
        {
            LibRdKafka.MetadataDestroy(metadata);
        }
    }

    private const long KafkaOffsetInvalid = -1001;

    /// <summary>
    /// A request with one argument object: checks it was created, lets <paramref name="prepare"/> fill it, issues
    /// <paramref name="call"/>, and destroys it whatever happens.
    /// </summary>
    private static void IssueOne(SafeKafkaHandle rk, AdminEventQueue queue, in AdminRequestSettings settings, SafeAdminArgumentHandle argument, string what,
        Action<nint>? prepare, delegate*<nint, nint*, nuint, nint, nint, void> call)
    {
        SafeAdminArgumentHandle[] arguments = [argument];
        try
        {
            ThrowIfInvalid(argument, what);
            prepare?.Invoke(argument.Pointer);
            Issue(rk, queue, settings, arguments, call);
        }
        finally
        {
            DisposeAll(arguments);
        }
    }

    /// <summary>Makes <paramref name="call"/> (rd_kafka_CreateTopics and its kin) with the arguments' pointers, fresh options and the queue.</summary>
    private static void Issue(SafeKafkaHandle rk, AdminEventQueue queue, in AdminRequestSettings settings, SafeAdminArgumentHandle[] arguments,
        delegate*<nint, nint*, nuint, nint, nint, void> call)
    {
        using var client = new HandleLease(rk);
        using var rkqu = new HandleLease(queue.Handle);
        using SafeAdminOptionsHandle options = Options(rk, client.Pointer, settings);
        nint[] pointers = new nint[arguments.Length];
        for (int i = 0; i < arguments.Length; i++)
        {
            pointers[i] = arguments[i].Pointer; // the handles stay open until after the call (callers dispose them)
        }

        fixed (nint* p = pointers)
        {
            call(client.Pointer, p, (nuint)pointers.Length, options.DangerousGetHandle(), rkqu.Pointer);
        }
    }

    private static SafeAdminOptionsHandle Options(SafeKafkaHandle rk, nint client, in AdminRequestSettings settings)
    {
        var options = new SafeAdminOptionsHandle(rk, LibRdKafka.AdminOptionsNew(client, settings.Api));
        try
        {
            ThrowIfInvalid(options, "Admin options");
            byte* errstr = stackalloc byte[ErrorSize];
            if (LibRdKafka.AdminOptionsSetRequestTimeout(options.DangerousGetHandle(), settings.RequestTimeoutMs, errstr, ErrorSize) != 0)
            {
                throw new ArgumentException($"Request timeout {settings.RequestTimeoutMs} ms: {LibRdKafka.Utf8(errstr)}");
            }

            if (settings.OperationTimeoutMs > 0 &&
                LibRdKafka.AdminOptionsSetOperationTimeout(options.DangerousGetHandle(), settings.OperationTimeoutMs, errstr, ErrorSize) != 0)
            {
                throw new ArgumentException($"Operation timeout {settings.OperationTimeoutMs} ms: {LibRdKafka.Utf8(errstr)}");
            }

            LibRdKafka.AdminOptionsSetOpaque(options.DangerousGetHandle(), settings.Opaque);
            return options;
        }
        catch
        {
            options.Dispose();
            throw;
        }
    }

    private static SafeTopicPartitionListHandle PartitionList(IReadOnlyList<(string Topic, int Partition, long Offset)> partitions)
    {
        var list = SafeTopicPartitionListHandle.Create(partitions.Count);
        try
        {
            foreach ((string topic, int partition, long offset) in partitions)
            {
                list.Add(topic, partition)->Offset = offset;
            }

            return list;
        }
        catch
        {
            list.Dispose();
            throw;
        }
    }

    private delegate TResult Utf8StringsUser<TState, TResult>(byte** strings, nuint count, TState state);

    /// <summary>Calls <paramref name="use"/> with a native array of NUL-terminated UTF-8 copies of <paramref name="strings"/> (valid during the call).</summary>
    private static TResult WithUtf8Strings<TState, TResult>(IReadOnlyList<string> strings, TState state, Utf8StringsUser<TState, TResult> use)
    {
        int total = 0;
        foreach (string s in strings)
        {
            total += Encoding.UTF8.GetByteCount(s) + 1;
        }

        byte[] bytes = new byte[Math.Max(total, 1)];
        nint[] starts = new nint[Math.Max(strings.Count, 1)];
        fixed (byte* b = bytes)
        fixed (nint* p = starts)
        {
            int at = 0;
            for (int i = 0; i < strings.Count; i++)
            {
                starts[i] = (nint)(b + at);
                at += Encoding.UTF8.GetBytes(strings[i], bytes.AsSpan(at));
                bytes[at++] = 0;
            }

            return use((byte**)p, (nuint)strings.Count, state);
        }
    }

    private static void ThrowIfInvalid(SafeHandle handle, string what)
    {
        if (handle.IsInvalid)
        {
            throw new InvalidOperationException($"{what}: librdkafka could not create the request object.");
        }
    }

    private static void ThrowIfError(nint error, string what)
    {
        if (error != 0)
        {
            (_, string text) = LibRdKafka.TakeError(error);
            throw new ArgumentException($"{what}: {text}");
        }
    }

    private static void DisposeAll(SafeAdminArgumentHandle?[] arguments)
    {
        foreach (SafeAdminArgumentHandle? argument in arguments)
        {
            argument?.Dispose();
        }
    }
}

using System.Net;
using System.Net.Sockets;
using KafkaFast.Configuration;
using KafkaFast.Native;

namespace KafkaFast.Mock;

/// <summary>
/// An embedded Kafka cluster: librdkafka's mock brokers, speaking the real protocol on 127.0.0.1 ports, with
/// fault injection. For development, tests and demos: no setup, nothing to install. Brokers are numbered 1..N.
/// </summary>
/// <remarks>
/// Producers auto-create topics with 4 partitions; consumers do not, so create topics a consumer reads first.
/// librdkafka's mock API is experimental; this class is the one place that binds to it.
/// </remarks>
public sealed unsafe class KafkaMockCluster : IDisposable
{
    private readonly SafeKafkaHandle _host;
    private readonly SafeMockClusterHandle _cluster;

    /// <summary>Starts a cluster of <paramref name="brokerCount"/> brokers.</summary>
    /// <exception cref="InvalidOperationException">
    /// The brokers' listening sockets cannot be opened (for example, the process is out of file descriptors); librdkafka
    /// itself would abort the process in that case, so it is checked first. Its log lines are dropped (never printed).
    /// </exception>
    public KafkaMockCluster(int brokerCount = 3)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(brokerCount, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(brokerCount, 64);

        var conf = new SafeConfigHandle();
        LibRdKafka.ConfSetOrThrow(conf, "client.id", "kafkafast-mock-host");
        LibRdKafka.ConfSetOrThrow(conf, "log_level", "3");
        LibRdKafka.ConfSetNoLogCallback(conf); // librdkafka's default prints to stderr: a library never writes to the console
        _host = LibRdKafka.NewOrThrow(LibRdKafka.TypeProducer, conf);
        try
        {
            EnsureListenersCanOpen(brokerCount);
        }
        catch
        {
            _host.Dispose();
            throw;
        }

        _cluster = new SafeMockClusterHandle(_host, LibRdKafka.MockClusterNew(_host, brokerCount));
        if (_cluster.IsInvalid)
        {
            _host.Dispose();
            throw new InvalidOperationException("librdkafka could not start its mock cluster.");
        }

        BrokerCount = brokerCount;
        BootstrapServers = LibRdKafka.Utf8(LibRdKafka.MockClusterBootstraps(_cluster));
    }

    /// <summary>
    /// How many bytes of messages each partition keeps: beyond 5 MiB of record batches (or 100,000 batches)
    /// librdkafka's mock broker drops the partition's oldest batches, as retention would. Size partitions (or read
    /// while writing) so that what a consumer must see fits.
    /// </summary>
    public const long PartitionRetentionBytes = 5L * 1024 * 1024;

    /// <summary>How many brokers the cluster has (ids 1..BrokerCount).</summary>
    public int BrokerCount { get; }

    /// <summary>The bootstrap string for clients, e.g. "127.0.0.1:40001,127.0.0.1:40002".</summary>
    public string BootstrapServers { get; }

    /// <summary>Creates a topic (consumers need it to exist; producers create topics with 4 partitions on their own).</summary>
    public void CreateTopic(string topic, int partitions, int replicationFactor = 1)
    {
        TopicName.Validate(topic);
        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(replicationFactor, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(replicationFactor, BrokerCount);
        Check(LibRdKafka.MockTopicCreate(_cluster, topic, partitions, replicationFactor), $"create topic '{topic}'");
    }

    /// <summary>
    /// Deletes a topic and its messages (later requests for it get UNKNOWN_TOPIC_OR_PARTITION, and producers create it
    /// again with the default 4 partitions). librdkafka's mock cannot add partitions to a topic (no CreatePartitions
    /// request, and creating an existing topic fails): deleting and creating it again with more partitions is the
    /// nearest it comes, data excepted.
    /// </summary>
    public void DeleteTopic(string topic)
    {
        TopicName.Validate(topic);
        ObjectDisposedException.ThrowIf(_cluster.IsClosed, this);
        Check(LibRdKafka.MockTopicDelete(_cluster, topic), $"delete topic '{topic}'");
    }

    /// <summary>Takes a broker down: its connections close and it refuses new ones until <see cref="SetBrokerUp"/>.</summary>
    public void SetBrokerDown(int brokerId) => Check(LibRdKafka.MockBrokerSetDown(_cluster, CheckBroker(brokerId)), $"take broker {brokerId} down");

    /// <summary>Brings a broker back up.</summary>
    public void SetBrokerUp(int brokerId) => Check(LibRdKafka.MockBrokerSetUp(_cluster, CheckBroker(brokerId)), $"bring broker {brokerId} up");

    /// <summary>Delays every response of a broker by <paramref name="roundTripTime"/>.</summary>
    public void SetBrokerRoundTripTime(int brokerId, TimeSpan roundTripTime)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(roundTripTime, TimeSpan.Zero);
        Check(LibRdKafka.MockBrokerSetRtt(_cluster, CheckBroker(brokerId), checked((int)roundTripTime.TotalMilliseconds)), $"set broker {brokerId} RTT");
    }

    /// <summary>The next requests of type <paramref name="apiKey"/>, on any broker, fail with these errors, in order.</summary>
    public void PushRequestErrors(KafkaApiKey apiKey, params ReadOnlySpan<KafkaErrorCode> errors)
    {
        if (errors.IsEmpty)
        {
            throw new ArgumentException("At least one error is needed.", nameof(errors));
        }

        fixed (KafkaErrorCode* codes = errors)
        {
            LibRdKafka.MockPushRequestErrorsArray(_cluster, (short)apiKey, (nuint)errors.Length, (int*)codes);
        }
    }

    /// <summary>Moves a partition's leadership to another broker (clients see NOT_LEADER and follow).</summary>
    public void SetPartitionLeader(string topic, int partition, int brokerId)
    {
        TopicName.Validate(topic);
        ArgumentOutOfRangeException.ThrowIfNegative(partition);
        Check(LibRdKafka.MockPartitionSetLeader(_cluster, topic, partition, CheckBroker(brokerId)), $"move leader of {topic}[{partition}]");
    }

    /// <summary>Sets the consumer-group initial rebalance delay (3 s by default; 0 makes tests fast).</summary>
    public void SetGroupInitialRebalanceDelay(TimeSpan delay)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero);
        LibRdKafka.MockGroupInitialRebalanceDelayMs(_cluster, checked((int)delay.TotalMilliseconds));
    }

    /// <summary>Starts recording every request the brokers receive (see <see cref="GetTrackedRequests"/>), forgetting those recorded before.</summary>
    public void StartRequestTracking()
    {
        ObjectDisposedException.ThrowIf(_cluster.IsClosed, this);
        LibRdKafka.MockClearRequests(_cluster);
        LibRdKafka.MockStartRequestTracking(_cluster);
    }

    /// <summary>The requests received since <see cref="StartRequestTracking"/>, in order: the broker and the request type.</summary>
    public IReadOnlyList<(int BrokerId, KafkaApiKey ApiKey)> GetTrackedRequests()
    {
        ObjectDisposedException.ThrowIf(_cluster.IsClosed, this);
        nuint count;
        nint* requests = LibRdKafka.MockGetRequests(_cluster, &count);
        if (requests == null)
        {
            return [];
        }

        try
        {
            var result = new (int, KafkaApiKey)[(int)count];
            for (int i = 0; i < result.Length; i++)
            {
                result[i] = (LibRdKafka.MockRequestBrokerId(requests[i]), (KafkaApiKey)LibRdKafka.MockRequestApiKey(requests[i]));
            }

            return result;
        }
        finally
        {
            LibRdKafka.MockRequestDestroyArray(requests, count);
        }
    }

    /// <summary>Stops the brokers. The cluster is destroyed before the client that hosts it, as librdkafka requires.</summary>
    public void Dispose()
    {
        _cluster.Dispose();
        _host.Dispose();
    }

    /// <summary>
    /// Throws when the brokers' listening sockets cannot be opened. rd_kafka_mock_cluster_new cleans up after such a
    /// failure by calling rd_kafka_mock_cluster_destroy before it has counted the cluster, which trips librdkafka's
    /// assertion "rk_mock.cluster_cnt > 0" and aborts the process (exit 134; librdkafka 2.16 and master). So the same
    /// resources are tried first, here, where a failure is an exception: a wake-up pipe (two descriptors) and one
    /// loopback listener per broker, opened together, then closed just before librdkafka opens its own.
    /// </summary>
    private static void EnsureListenersCanOpen(int brokerCount)
    {
        var probes = new List<Socket>(brokerCount + 2);
        try
        {
            for (int i = 0; i < brokerCount + 2; i++)
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                probes.Add(socket);
                socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
                socket.Listen(1);
            }
        }
        catch (SocketException e)
        {
            throw new InvalidOperationException(
                $"The embedded cluster cannot start: {brokerCount} brokers need {brokerCount} listening sockets on 127.0.0.1 and a pipe, " +
                $"and opening them failed ({e.SocketErrorCode}: {e.Message}). Too many open files? (librdkafka would abort the process here.)", e);
        }
        finally
        {
            foreach (Socket socket in probes)
            {
                socket.Dispose();
            }
        }
    }

    private int CheckBroker(int brokerId)
    {
        ObjectDisposedException.ThrowIf(_cluster.IsClosed, this);
        ArgumentOutOfRangeException.ThrowIfLessThan(brokerId, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(brokerId, BrokerCount);
        return brokerId;
    }

    private static void Check(int err, string what)
    {
        if (err != 0)
        {
            throw new KafkaException((KafkaErrorCode)err, $"Mock cluster could not {what}: {LibRdKafka.ErrorText(err)}");
        }
    }
}

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
    public KafkaMockCluster(int brokerCount = 3)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(brokerCount, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(brokerCount, 64);

        var conf = new SafeConfigHandle();
        LibRdKafka.ConfSetOrThrow(conf, "client.id", "kafkafast-mock-host");
        LibRdKafka.ConfSetOrThrow(conf, "log_level", "3");
        LibRdKafka.ConfSetNoLogCallback(conf); // librdkafka's default prints to stderr: a library never writes to the console
        _host = LibRdKafka.NewOrThrow(LibRdKafka.TypeProducer, conf);
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

    /// <summary>Stops the brokers. The cluster is destroyed before the client that hosts it, as librdkafka requires.</summary>
    public void Dispose()
    {
        _cluster.Dispose();
        _host.Dispose();
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

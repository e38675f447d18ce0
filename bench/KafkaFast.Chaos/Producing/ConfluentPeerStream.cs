using Confluent.Kafka;
using KafkaFast.Chaos.Messages;

namespace KafkaFast.Chaos.Producing;

/// <summary>
/// Diagnosis (--confluent-peer): Confluent.Kafka's producer with KafkaFast's settings (idempotent, acks all, linger
/// 5 ms, the same message timeout) in the same process, under the same faults, checked the same way. If it loses
/// messages too, the loss is librdkafka's or the embedded cluster's; if only KafkaFast's streams do, it is ours.
/// Its failures go to <see cref="OutcomeFiles.PeerFailures"/>.
/// </summary>
#pragma warning disable CA1001 // the producer and the file are disposed by Drain, on the stream's own thread, when it stops
internal sealed class ConfluentPeerStream : ProducerStream
#pragma warning restore CA1001
{
    private readonly IProducer<byte[], byte[]> _producer;
    private readonly MessageScratch _scratch = new();
    private readonly BinaryWriter _failures;
    private readonly Lock _lock = new();
    private readonly Action<DeliveryReport<byte[], byte[]>> _onReport;

    internal ConfluentPeerStream(int index, StreamContext context) : base(index, context)
    {
        var config = new ProducerConfig
        {
            BootstrapServers = context.Settings.BootstrapServers,
            ClientId = "chaos-confluent-peer",
            EnableIdempotence = true,
            Acks = Acks.All,
            LingerMs = 5,
            MessageTimeoutMs = context.Settings.MessageTimeoutSeconds * 1000,
            MaxInFlight = context.Settings.MaxInFlight,
        };
        _producer = new ProducerBuilder<byte[], byte[]>(config).SetLogHandler((_, _) => { }).SetErrorHandler((_, _) => { }).Build();
        _failures = new BinaryWriter(new BufferedStream(File.Create(Path.Combine(context.Settings.OutputDirectory, OutcomeFiles.PeerFailures)), 1 << 16));
        _onReport = report =>
        {
            if (!report.Error.IsError)
            {
                return;
            }

            if (MessageFactory.TryReadId(report.Message.Value, out MessageId id, out _))
            {
                lock (_lock)
                {
                    new OutcomeFiles.FailureRecord(id.Packed, report.Partition.Value, (int)report.Error.Code, (byte)report.Status).Write(_failures);
                }
            }
        };
    }

    protected override int Offer(int budget)
    {
        _scratch.Build(Context.Factory, NextId());
        var message = new Message<byte[], byte[]>
        {
            Key = _scratch.KeyLength == 0 ? null! : _scratch.Key.AsSpan(0, _scratch.KeyLength).ToArray(),
            Value = _scratch.Value.AsSpan(0, _scratch.ValueLength).ToArray(),
        };
        if (_scratch.HeaderCount > 0)
        {
            message.Headers = [];
            for (int h = 0; h < _scratch.HeaderCount; h++)
            {
                message.Headers.Add(_scratch.Headers[h].Key, _scratch.Headers[h].Value.ToArray());
            }
        }

        var partition = new Confluent.Kafka.TopicPartition(Context.Settings.Topic, _scratch.Partition < 0 ? Partition.Any : new Partition(_scratch.Partition));
        long started = Now();
        try
        {
            _producer.Produce(partition, message, _onReport);
            RecordCall(started);
            return CountOne(true);
        }
        catch (ProduceException<byte[], byte[]> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
        {
            RecordCall(started);
            return CountOne(false);
        }
    }

    protected override void Drain()
    {
        _producer.Flush(TimeSpan.FromSeconds(Context.Settings.MessageTimeoutSeconds + 60));
        _producer.Dispose();
        lock (_lock)
        {
            _failures.Dispose();
        }
    }
}

using Confluent.Kafka;
using KafkaFast.Consumer;

namespace KafkaFast.Chaos.Group;

/// <summary>
/// One member of the chaos consumer group: the loop docs/CONSUMER.md documents (CommitMode.Auto: asking for the next
/// batch acknowledges the previous one; Close commits and leaves), on its own thread, until told to leave. With
/// <c>confluent</c>, the same member written with Confluent.Kafka (its usual loop: Consume, auto commit, Close): the
/// peer group that tells a KafkaFast consumer bug from the embedded cluster's coordinator.
/// </summary>
internal sealed class GroupMember
{
    private readonly GroupLedger _ledger;
    private readonly KafkaConsumerOptions _options;
    private readonly string _topic;
    private readonly Thread _thread;
    private volatile bool _leaving;
    private volatile string? _trouble;

    private readonly bool _confluent;
    private readonly string _bootstrap;
    private readonly string _groupId;

    internal GroupMember(GroupLedger ledger, string bootstrap, string groupId, string topic, bool confluent = false)
    {
        _ledger = ledger;
        _topic = topic;
        _confluent = confluent;
        _bootstrap = bootstrap;
        _groupId = groupId;
        Number = ledger.Register(this);
        _options = new KafkaConsumerOptions
        {
            BootstrapServers = bootstrap,
            GroupId = groupId,
            ClientId = $"chaos-member-{Number}",
            AutoOffsetReset = KafkaFast.Consumer.AutoOffsetReset.Earliest,
            CommitMode = CommitMode.Auto,
            AutoCommitInterval = TimeSpan.FromSeconds(1),
            SessionTimeout = SessionTimeout,
        };
        _thread = new Thread(confluent ? RunConfluent : Run) { Name = $"chaos group member {Number}", IsBackground = true };
    }

    /// <summary>
    /// Short, so that the embedded cluster's coordinator evicts a member it lost track of: with the default 45 s its
    /// group can sit with every partition unassigned after members come and go around a broker outage (Confluent.Kafka's
    /// group does the same there).
    /// </summary>
    private static readonly TimeSpan SessionTimeout = TimeSpan.FromSeconds(6);

    internal int Number { get; }

    internal string State { get; private set; } = "starting";

    /// <summary>Why this member may legitimately leave work to be re-read (null: it never had trouble).</summary>
    internal string? Trouble => _trouble;

    internal Exception? Failure { get; private set; }

    internal long Batches { get; private set; }

    internal long Messages { get; private set; }

    /// <summary>How many partitions the member held after its last consume call (for progress lines).</summary>
    internal int AssignedPartitions { get; private set; }

    /// <summary>"member 3: 4 partitions, 1,234 messages": for progress lines.</summary>
    public override string ToString() => $"m{Number} {State} {AssignedPartitions}p {Messages:N0}";

    private long _errorEvents;

    /// <summary>Client error events (brokers down and so on; librdkafka retries).</summary>
    internal long ErrorEvents => Interlocked.Read(ref _errorEvents);

    internal void Start() => _thread.Start();

    /// <summary>Asks the member to finish its current batch, close (commit, leave the group) and stop.</summary>
    internal void Leave() => _leaving = true;

    internal bool Join(TimeSpan timeout) => _thread.Join(timeout);

    private void Run()
    {
        var processed = new (int, long)[1000];
        try
        {
            // The logger keeps librdkafka's lines off the console and records ranges the brokers dropped before
            // the group read them (~5 MiB kept per partition), so they are not mistaken for a loss.
            using var consumer = new KafkaConsumer(_options, new OffsetResetListener(_ledger));
            consumer.Error += (_, e) =>
            {
                Interlocked.Increment(ref _errorEvents);
                if (e.IsFatal || e.Reason.Contains("commit", StringComparison.OrdinalIgnoreCase))
                {
                    _trouble ??= $"error event {e.Code}: {e.Reason}"; // a commit failed: its offsets may be read again
                }
            };
            consumer.PartitionsLost += (_, _) => _trouble ??= "partitions lost";
            consumer.Subscribe(_topic);
            State = "consuming";
            while (!_leaving)
            {
                using ConsumedBatch batch = consumer.ConsumeBatch(processed.Length, TimeSpan.FromMilliseconds(200));
                int n = 0;
                foreach (ConsumedMessage m in batch)
                {
                    processed[n++] = (m.Partition, m.Offset);
                }

                _ledger.Record(this, processed.AsSpan(0, n));
                Batches++;
                Messages += n;
                AssignedPartitions = consumer.Assignment.Count;
            }

            State = "closing";
            consumer.Close();
            State = "closed";
        }
        catch (Exception e)
        {
            _trouble ??= $"{e.GetType().Name}: {e.Message}";
            State = "failed";
            Failure = e;
        }
    }

    private void RunConfluent()
    {
        var processed = new List<(int, long)>(1000);
        var config = new ConsumerConfig
        {
            BootstrapServers = _bootstrap,
            GroupId = _groupId,
            ClientId = $"chaos-peer-member-{Number}",
            AutoOffsetReset = Confluent.Kafka.AutoOffsetReset.Earliest,
            EnableAutoCommit = true,
            AutoCommitIntervalMs = 1000,
            SessionTimeoutMs = (int)SessionTimeout.TotalMilliseconds,
        };
        try
        {
            using IConsumer<byte[], byte[]> consumer = new ConsumerBuilder<byte[], byte[]>(config)
                .SetLogHandler((_, log) =>
                {
                    if (log.Message.Contains("offset reset", StringComparison.Ordinal))
                    {
                        OffsetResetListener.Parse(log.Message, _ledger);
                    }
                })
                .SetErrorHandler((_, e) =>
                {
                    Interlocked.Increment(ref _errorEvents);
                    if (e.IsFatal || e.Reason.Contains("commit", StringComparison.OrdinalIgnoreCase))
                    {
                        _trouble ??= $"error event {e.Code}: {e.Reason}";
                    }
                })
                .SetPartitionsLostHandler((_, _) => _trouble ??= "partitions lost")
                .SetOffsetsCommittedHandler((_, c) =>
                {
                    if (c.Error.IsError || c.Offsets.Any(o => o.Error.IsError))
                    {
                        _trouble ??= $"commit failed: {c.Error.Reason}";
                    }
                })
                .Build();
            consumer.Subscribe(_topic);
            State = "consuming";
            while (!_leaving)
            {
                processed.Clear();
                ConsumeResult<byte[], byte[]>? result = consumer.Consume(TimeSpan.FromMilliseconds(200));
                while (result is not null && processed.Count < 1000)
                {
                    processed.Add((result.Partition.Value, result.Offset.Value));
                    result = consumer.Consume(TimeSpan.Zero);
                }

                _ledger.Record(this, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(processed));
                Batches++;
                Messages += processed.Count;
                AssignedPartitions = consumer.Assignment.Count;
            }

            State = "closing";
            consumer.Close();
            State = "closed";
        }
        catch (Exception e)
        {
            _trouble ??= $"{e.GetType().Name}: {e.Message}";
            State = "failed";
            Failure = e;
        }
    }
}

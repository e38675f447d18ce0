using KafkaFast.Consumer;

namespace KafkaFast.Chaos.Group;

/// <summary>
/// One member of the chaos consumer group: the loop docs/CONSUMER.md documents (CommitMode.Auto: asking for the next
/// batch acknowledges the previous one; Close commits and leaves), on its own thread, until told to leave.
/// </summary>
internal sealed class GroupMember
{
    private readonly GroupLedger _ledger;
    private readonly KafkaConsumerOptions _options;
    private readonly string _topic;
    private readonly Thread _thread;
    private volatile bool _leaving;
    private volatile string? _trouble;

    internal GroupMember(GroupLedger ledger, string bootstrap, string groupId, string topic)
    {
        _ledger = ledger;
        _topic = topic;
        Number = ledger.Register(this);
        _options = new KafkaConsumerOptions
        {
            BootstrapServers = bootstrap,
            GroupId = groupId,
            ClientId = $"chaos-member-{Number}",
            AutoOffsetReset = AutoOffsetReset.Earliest,
            CommitMode = CommitMode.Auto,
            AutoCommitInterval = TimeSpan.FromSeconds(1),
        };
        _thread = new Thread(Run) { Name = $"chaos group member {Number}", IsBackground = true };
    }

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
            consumer.PartitionsRevoked += (_, e) =>
            {
                if (e.Lost)
                {
                    _trouble ??= "partitions lost";
                }
            };
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
}

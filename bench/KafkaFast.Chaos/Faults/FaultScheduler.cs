using System.Diagnostics;
using KafkaFast.Benchmarks.Broker;
using KafkaFast.Chaos.Group;

namespace KafkaFast.Chaos.Faults;

/// <summary>
/// Injects faults at random times for the run's length, from a seeded generator (the same seed gives the same
/// schedule). Every kind comes once, in a shuffled order, before any comes twice (the long outage at most once every
/// two minutes, if it still fits in the run). Timed faults are undone when their time is up; the long outage first
/// heals everything and runs alone. At the end everything is healed.
/// </summary>
internal sealed class FaultScheduler
{
    private static readonly int[] RetriableErrors =
    [
        6,  // NOT_LEADER_FOR_PARTITION
        7,  // REQUEST_TIMED_OUT
        19, // NOT_ENOUGH_REPLICAS
        20, // NOT_ENOUGH_REPLICAS_AFTER_APPEND
        5,  // LEADER_NOT_AVAILABLE
        56, // KAFKA_STORAGE_ERROR
        13, // NETWORK_EXCEPTION
    ];

    private const int InvalidRecord = 87;

    private readonly ChaosSettings _settings;
    private readonly BrokerProcess _broker;
    private readonly ConsumerGroup _group;
    private readonly Random _random;
    private readonly Action<string> _log;
    private readonly List<(double Due, string What, Action Undo)> _undo = [];
    private readonly HashSet<int> _down = [];
    private readonly Queue<FaultKind> _cycle = new();
    private double _outageEnds;

    private readonly ConsumerGroup? _peerGroup;

    /// <param name="peerGroup">The Confluent.Kafka peer group (--confluent-peer): its members join and leave with the group's.</param>
    internal FaultScheduler(ChaosSettings settings, BrokerProcess broker, ConsumerGroup group, ConsumerGroup? peerGroup, Action<string> log)
    {
        _peerGroup = peerGroup;
        _settings = settings;
        _broker = broker;
        _group = group;
        _log = log;
        _random = new Random(unchecked((int)settings.Seed ^ (int)(settings.Seed >> 32)));
    }

    internal Dictionary<FaultKind, int> Injected { get; } = Enum.GetValues<FaultKind>().ToDictionary(k => k, _ => 0);

    internal TimeSpan LongOutage => TimeSpan.FromSeconds(Math.Max(_settings.MessageTimeoutSeconds * 1.5, _settings.MessageTimeoutSeconds + 4));

    /// <summary>Runs the schedule for <paramref name="duration"/>, then heals every fault.</summary>
    internal void Run(TimeSpan duration, CancellationToken cancel)
    {
        var clock = Stopwatch.StartNew();
        double next = 1 + (_random.NextDouble() * 2);
        while (clock.Elapsed < duration && !cancel.IsCancellationRequested)
        {
            double now = clock.Elapsed.TotalSeconds;
            UndoDue(now);
            if (now >= next && now >= _outageEnds)
            {
                Inject(NextKind(duration.TotalSeconds - now, now), now);
                next = now + 0.5 + (_random.NextDouble() * 2.5);
            }

            Thread.Sleep(50);
        }

        UndoDue(double.MaxValue);
        _log("faults: all healed");
    }

    private FaultKind NextKind(double remaining, double now)
    {
        for (int attempt = 0; attempt < 20; attempt++)
        {
            if (_cycle.Count == 0)
            {
                foreach (FaultKind k in _settings.Faults.OrderBy(_ => _random.Next()))
                {
                    _cycle.Enqueue(k);
                }
            }

            FaultKind kind = _cycle.Dequeue();
            bool possible = kind switch
            {
                // At most one long outage every two minutes: the rest of the time the other faults run against a cluster that is up.
                FaultKind.AllBrokersDownLong => remaining > LongOutage.TotalSeconds + 3 && (_outageEnds == 0 || now - _outageEnds > 120),
                FaultKind.GroupMemberJoins => _group.CanJoin,
                FaultKind.GroupMemberLeaves => _group.CanLeave,
                FaultKind.BrokerDown => _down.Count < _settings.Brokers,
                _ => true,
            };
            if (possible)
            {
                return kind;
            }

            if (kind != FaultKind.AllBrokersDownLong && _random.Next(2) == 0)
            {
                _cycle.Enqueue(kind); // try it again later in this cycle
            }
        }

        return _settings.Faults.Contains(FaultKind.LeaderMove) ? FaultKind.LeaderMove : FaultKind.RttSpike;
    }

    private void Inject(FaultKind kind, double now)
    {
        Injected[kind]++;
        switch (kind)
        {
            case FaultKind.BrokerDown:
            {
                int id = Enumerable.Range(1, _settings.Brokers).Where(b => !_down.Contains(b)).OrderBy(_ => _random.Next()).First();
                double seconds = 1 + (_random.NextDouble() * 4);
                Down(id);
                Later(now + seconds, $"broker {id} up", () => Up(id));
                _log($"fault {now,6:0.0} s: broker {id} down for {seconds:0.0} s");
                break;
            }

            case FaultKind.AllBrokersDownLong:
            {
                UndoDue(double.MaxValue);
                double seconds = LongOutage.TotalSeconds;
                for (int id = 1; id <= _settings.Brokers; id++)
                {
                    Down(id);
                }

                _outageEnds = now + seconds + 2;
                Later(now + seconds, "all brokers up", () =>
                {
                    for (int id = 1; id <= _settings.Brokers; id++)
                    {
                        Up(id);
                    }
                });
                _log($"fault {now,6:0.0} s: ALL brokers down for {seconds:0.0} s (message timeout {_settings.MessageTimeoutSeconds} s)");
                break;
            }

            case FaultKind.RttSpike:
            {
                int rtt = _random.Next(100, 1501);
                double seconds = 2 + (_random.NextDouble() * 4);
                int? id = _random.Next(3) == 0 ? null : _random.Next(1, _settings.Brokers + 1);
                _broker.SetRoundTripTime(TimeSpan.FromMilliseconds(rtt), id);
                Later(now + seconds, $"RTT of {(id is null ? "every broker" : $"broker {id}")} back to 0", () => _broker.SetRoundTripTime(TimeSpan.Zero, id));
                _log($"fault {now,6:0.0} s: RTT {rtt} ms on {(id is null ? "every broker" : $"broker {id}")} for {seconds:0.0} s");
                break;
            }

            case FaultKind.RetriableProduceErrors:
            {
                int[] errors = Enumerable.Range(0, _random.Next(1, 31)).Select(_ => RetriableErrors[_random.Next(RetriableErrors.Length)]).ToArray();
                _broker.PushRequestErrors(0, errors);
                _log($"fault {now,6:0.0} s: next {errors.Length} Produce requests fail with {string.Join(',', errors.Distinct())}");
                break;
            }

            case FaultKind.PermanentProduceErrors:
            {
                int count = _random.Next(1, 4);
                _broker.PushRequestErrors(0, Enumerable.Repeat(InvalidRecord, count));
                _log($"fault {now,6:0.0} s: next {count} Produce requests fail with INVALID_RECORD (87, not retriable)");
                break;
            }

            case FaultKind.LeaderMove:
            {
                int partition = _random.Next(_settings.Partitions);
                int id = _random.Next(1, _settings.Brokers + 1);
                _broker.SetPartitionLeader(_settings.Topic, partition, id);
                _log($"fault {now,6:0.0} s: leader of partition {partition} moves to broker {id}");
                break;
            }

            case FaultKind.GroupMemberJoins:
                _group.Join();
                _peerGroup?.Join();
                _log($"fault {now,6:0.0} s: a group member joins ({_group.ActiveCount} now)");
                break;

            case FaultKind.GroupMemberLeaves:
                int leaving = _random.Next(_group.ActiveCount);
                _group.Leave(leaving);
                _peerGroup?.Leave(leaving);
                _log($"fault {now,6:0.0} s: a group member closes and leaves ({_group.ActiveCount} left)");
                break;
        }
    }

    private void Down(int id)
    {
        _broker.SetBrokerDown(id);
        _down.Add(id);
    }

    private void Up(int id)
    {
        _broker.SetBrokerUp(id);
        _down.Remove(id);
    }

    private void Later(double due, string what, Action undo) => _undo.Add((due, what, undo));

    private void UndoDue(double now)
    {
        foreach (var item in _undo.Where(u => u.Due <= now).OrderBy(u => u.Due).ToList())
        {
            _undo.Remove(item);
            item.Undo();
        }
    }
}

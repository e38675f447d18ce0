namespace KafkaFast.Chaos.Group;

/// <summary>The chaos consumer group: members join and leave at the scheduler's word; at least one always reads.</summary>
internal sealed class ConsumerGroup(string bootstrap, string topic, int maxMembers, bool confluent = false)
{
    /// <summary>"KafkaFast" or "Confluent.Kafka" (the peer group).</summary>
    internal string Client => confluent ? "Confluent.Kafka" : "KafkaFast";

    private readonly List<GroupMember> _active = [];
    private readonly List<GroupMember> _left = [];

    internal string GroupId { get; } = "chaos-group-" + Guid.NewGuid().ToString("N")[..8];

    internal GroupLedger Ledger { get; } = new();

    internal int ActiveCount => _active.Count;

    /// <summary>The active members, as progress text.</summary>
    internal string Describe() => string.Join(", ", _active.ToArray().Select(m => m.ToString()));

    internal bool CanJoin => _active.Count < maxMembers;

    internal bool CanLeave => _active.Count > 1;

    internal void Join()
    {
        var member = new GroupMember(Ledger, bootstrap, GroupId, topic, confluent);
        _active.Add(member);
        member.Start();
    }

    /// <summary>The member at <paramref name="index"/> (of the active ones) finishes its batch, closes and leaves.</summary>
    internal void Leave(int index)
    {
        index = Math.Min(index, _active.Count - 1);
        GroupMember member = _active[index];
        _active.RemoveAt(index);
        member.Leave();
        _left.Add(member);
    }

    /// <summary>Every member leaves; waits for them to close. Returns the members that did not stop in time.</summary>
    internal List<GroupMember> StopAll(TimeSpan timeout)
    {
        foreach (GroupMember member in _active)
        {
            member.Leave();
        }

        _left.AddRange(_active);
        _active.Clear();
        DateTime deadline = DateTime.UtcNow + timeout;
        return _left.Where(m => !m.Join(Max(deadline - DateTime.UtcNow, TimeSpan.Zero))).ToList();
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}

using KafkaFast.Chaos.Reading;

namespace KafkaFast.Chaos.Group;

/// <summary>
/// What the consumer group processed, per partition and offset: how often, and which member did it last. A message
/// processed twice is a re-read; docs/CONSUMER.md allows re-reads only of what a member had processed but could not
/// store or commit (it stopped uncleanly, lost its partitions, or a commit failed), so each re-read is judged by
/// the state of the member that processed the message before. Thread-safe (members record whole batches under one lock).
/// </summary>
internal sealed class GroupLedger
{
    private readonly Lock _lock = new();
    private readonly Dictionary<int, CountArray> _counts = [];
    private readonly Dictionary<int, byte[]> _lastMember = [];
    private readonly List<GroupMember> _members = [];

    internal long Processed { get; private set; }

    /// <summary>Re-reads after a member that had trouble committing (allowed by the documented at-least-once contract).</summary>
    internal long ExplainedRereads { get; private set; }

    /// <summary>Re-reads after a member that stopped cleanly, committed without error and never lost its partitions.</summary>
    internal long UnexplainedRereads { get; private set; }

    internal List<string> Examples { get; } = [];

    private readonly List<(int Partition, long From, long To)> _dropped = [];

    /// <summary>Offsets the brokers no longer held when a member asked for them (not verifiable, not lost).</summary>
    internal long Dropped { get; private set; }

    /// <summary>Offsets [from, to) of <paramref name="partition"/> were gone before the group read them.</summary>
    internal void RecordDropped(int partition, long from, long to)
    {
        lock (_lock)
        {
            if (to > from)
            {
                _dropped.Add((partition, from, to));
                Dropped += to - from;
            }
        }
    }

    internal int Register(GroupMember member)
    {
        lock (_lock)
        {
            _members.Add(member);
            return _members.Count; // member numbers start at 1 (0 = nobody)
        }
    }

    internal IReadOnlyList<GroupMember> Members
    {
        get
        {
            lock (_lock)
            {
                return [.. _members];
            }
        }
    }

    internal void Record(GroupMember member, ReadOnlySpan<(int Partition, long Offset)> processed)
    {
        lock (_lock)
        {
            foreach ((int partition, long offset) in processed)
            {
                Processed++;
                if (!_counts.TryGetValue(partition, out CountArray? counts))
                {
                    _counts[partition] = counts = new CountArray();
                    _lastMember[partition] = new byte[1024];
                }

                byte[] last = _lastMember[partition];
                if (offset >= last.Length)
                {
                    Array.Resize(ref last, (int)Math.Max(offset + 1, last.Length * 2L));
                    _lastMember[partition] = last;
                }

                if (counts.Increment(offset) > 1)
                {
                    GroupMember previous = _members[last[offset] - 1];
                    if (previous.Trouble is not null)
                    {
                        ExplainedRereads++;
                    }
                    else
                    {
                        UnexplainedRereads++;
                        if (Examples.Count < 10)
                        {
                            Examples.Add($"{partition}@{offset} processed by member {previous.Number} ({previous.State}) and again by member {member.Number}");
                        }
                    }
                }

                last[offset] = (byte)Math.Min(member.Number, 255);
            }
        }
    }

    /// <summary>Offsets below <paramref name="endOffsets"/> the group never processed, per partition (the first few).</summary>
    internal (long Missing, List<string> Examples) FindMissing(IReadOnlyList<long> endOffsets, IReadOnlyList<long> startOffsets)
    {
        lock (_lock)
        {
            long missing = 0;
            var examples = new List<string>();
            for (int p = 0; p < endOffsets.Count; p++)
            {
                _counts.TryGetValue(p, out CountArray? counts);
                for (long o = startOffsets[p]; o < endOffsets[p]; o++)
                {
                    if ((counts is null || counts[o] == 0) && !_dropped.Any(d => d.Partition == p && d.From <= o && o < d.To))
                    {
                        missing++;
                        if (examples.Count < 10)
                        {
                            examples.Add($"{p}@{o}");
                        }
                    }
                }
            }

            return (missing, examples);
        }
    }

    /// <summary>The next offset the group has processed up to without a hole, per partition (for progress).</summary>
    internal bool HasReached(IReadOnlyList<long> endOffsets)
    {
        lock (_lock)
        {
            for (int p = 0; p < endOffsets.Count; p++)
            {
                if (endOffsets[p] > 0 && (!_counts.TryGetValue(p, out CountArray? counts) || counts.Length < endOffsets[p]))
                {
                    return false;
                }
            }

            return true;
        }
    }
}

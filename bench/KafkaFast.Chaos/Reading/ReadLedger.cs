using KafkaFast.Chaos.Messages;

namespace KafkaFast.Chaos.Reading;

/// <summary>
/// What one reader saw: how often each message id was read, order per (stream, partition), offset continuity per
/// partition (a gap means the embedded broker dropped messages before this reader got to them), damaged messages,
/// and where each message was first found (to check the DeliveryResult awaited calls got, and to tell a batch the
/// embedded cluster appended twice from any other duplicate).
/// Written by its reader's thread only; the progress (next offset per partition) may be read from any thread.
/// </summary>
internal sealed class ReadLedger(string name)
{
    internal const int MaxPartitions = 1024;
    private const int MaxExamples = 5;

    private readonly CountArray[] _counts = Enumerable.Range(0, MessageId.MaxStreams).Select(_ => new CountArray()).ToArray();
    private readonly Dictionary<int, PlacementArray> _placements = [];
    private readonly Dictionary<int, long> _lastSequence = [];
    private readonly long[] _nextOffset = Enumerable.Repeat(-1L, MaxPartitions).ToArray();

    internal string Name { get; } = name;

    internal long Read { get; private set; }

    /// <summary>
    /// Second copies in the same partition at a later offset: a produce request appended again after librdkafka
    /// retried it over a dropped connection. librdkafka's mock brokers check idempotent sequence numbers only for
    /// transactional producers (rd_kafka_mock_validate_records), so they keep such copies; a real broker drops them.
    /// </summary>
    internal long Reappended { get; private set; }

    /// <summary>Runs of consecutive offsets that repeat an earlier run (the requests appended twice).</summary>
    internal long ReappendedRuns { get; private set; }

    /// <summary>Second copies in another partition or at an earlier offset: no retry explains them.</summary>
    internal long OtherDuplicates { get; private set; }

    private (int Partition, long Offset, long FirstOffset) _lastCopy = (-1, -1, -1);

    internal long OrderViolations { get; private set; }

    internal long Damaged { get; private set; }

    /// <summary>Offsets skipped: messages the broker no longer had when this reader asked (not verifiable).</summary>
    internal long Skipped { get; private set; }

    /// <summary>Times the reader was handed an offset it had already passed.</summary>
    internal long Rewinds { get; private set; }

    internal List<string> Examples { get; } = [];

    internal int CountOf(MessageId id) => _counts[id.Stream][id.Sequence];

    /// <summary>One past the highest sequence number read for <paramref name="stream"/>.</summary>
    internal long SequenceLimit(int stream) => _counts[stream].Length;

    /// <summary>Where the message was read (partition, offset), for streams that record placements; null if never read.</summary>
    internal (int Partition, long Offset)? PlacementOf(MessageId id) =>
        _placements.TryGetValue(id.Stream, out PlacementArray? array) ? array.Get(id.Sequence) : null;

    /// <summary>The next offset this reader expects in <paramref name="partition"/> (-1 before its first message).</summary>
    internal long NextOffset(int partition) => Volatile.Read(ref _nextOffset[partition]);

    internal void Observe(int partition, long offset, MessageId id)
    {
        Read++;
        if (!Advance(partition, offset))
        {
            return; // the reader itself went back (not a second copy in the log)
        }

        if (_counts[id.Stream].Increment(id.Sequence) > 1)
        {
            ObserveCopy(partition, offset, id);
            return; // order is judged on first copies
        }

        int key = (id.Stream << 16) | partition;
        if (_lastSequence.TryGetValue(key, out long last) && last >= id.Sequence)
        {
            OrderViolations++;
            Example($"{Name}: stream {id.Stream} in partition {partition}: sequence {id.Sequence} at offset {offset} after {last}");
        }

        _lastSequence[key] = Math.Max(last, id.Sequence);
        if (!_placements.TryGetValue(id.Stream, out PlacementArray? array))
        {
            _placements[id.Stream] = array = new PlacementArray();
        }

        array.Set(id.Sequence, partition, offset);
    }

    private void ObserveCopy(int partition, long offset, MessageId id)
    {
        (int Partition, long Offset)? first = PlacementOf(id);
        if (first is not { } f || f.Partition != partition || f.Offset >= offset)
        {
            OtherDuplicates++;
            Example($"{Name}: message {id} read again at {partition}@{offset}, first at {(first is { } x ? $"{x.Partition}@{x.Offset}" : "?")}");
            return;
        }

        Reappended++;
        if (_lastCopy != (partition, offset - 1, f.Offset - 1))
        {
            ReappendedRuns++;
            Example($"{Name}: partition {partition}: offsets from {f.Offset} appended again from {offset}");
        }

        _lastCopy = (partition, offset, f.Offset);
    }

    internal void ObserveDamaged(int partition, long offset, string problem)
    {
        Read++;
        Damaged++;
        Advance(partition, offset);
        Example($"{Name}: {partition}@{offset}: {problem}");
    }

    private bool Advance(int partition, long offset)
    {
        long expected = _nextOffset[partition];
        if (expected < 0)
        {
            expected = 0; // a partition's log starts at 0: a first message above it means the start was dropped
        }

        if (offset > expected)
        {
            Skipped += offset - expected;
            Example($"{Name}: partition {partition}: offsets {expected}..{offset - 1} were gone before they were read");
        }
        else if (offset < expected)
        {
            Rewinds++;
            Example($"{Name}: partition {partition}: offset {offset} read again after {expected - 1}");
            return false;
        }

        Volatile.Write(ref _nextOffset[partition], offset + 1);
        return true;
    }

    private void Example(string text)
    {
        if (Examples.Count < MaxExamples * 4)
        {
            Examples.Add(text);
        }
    }

    /// <summary>Partition and offset per sequence number, packed in one long (partition in the top 16 bits).</summary>
    private sealed class PlacementArray
    {
        private long[] _items = new long[1024];

        internal void Set(long sequence, int partition, long offset)
        {
            if (sequence >= _items.Length)
            {
                Array.Resize(ref _items, (int)Math.Max(sequence + 1, _items.Length * 2L));
            }

            _items[sequence] = ((long)(partition + 1) << 48) | offset;
        }

        internal (int, long)? Get(long sequence)
        {
            long packed = sequence < _items.Length ? _items[sequence] : 0;
            return packed == 0 ? null : ((int)(packed >> 48) - 1, packed & ((1L << 48) - 1));
        }
    }
}

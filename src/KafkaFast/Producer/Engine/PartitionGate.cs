using System.Text;
using KafkaFast.Buffers;
using KafkaFast.Native;

namespace KafkaFast.Producer.Engine;

/// <summary>
/// Worker-only: the records of one topic-partition that the worker has scanned but not yet handed to librdkafka,
/// in order, and how many it has handed that still wait for their delivery report.
/// </summary>
/// <remarks>
/// While the gate is <see cref="Engaged"/> (idempotent producer, the partition's round trip longer than the
/// linger), the partition is handed at most one request's worth at a time, and the next only when every message
/// handed earlier has its delivery report: librdkafka then never holds messages behind an in-flight request, which
/// is what makes its broker thread spin against a slow cluster (see docs/PRODUCER.md, "The partition gate").
/// Otherwise everything waiting is handed on every pass.
/// Invariants: <see cref="Waiting"/> records are committed, unreported, and in reservation order;
/// <see cref="InFlight"/> counts records handed and not yet reported (delivered or failed).
/// </remarks>
internal sealed unsafe class PartitionGate
{
    private nint[] _records = new nint[16];
    private long[] _arrivals = new long[16];
    private int[] _sizes = new int[16];
    private int _head;

    /// <summary>Hand-offs whose messages are still in flight, oldest first: when each was made and how many messages it still has out.</summary>
    private long[] _handOffTimes = new long[4];
    private int[] _handOffCounts = new int[4];
    private int _handOffHead;
    private int _handOffCount;

    internal PartitionGate(TopicState topic, int partition)
    {
        Topic = topic;
        Partition = partition;
    }

    internal TopicState Topic { get; }

    internal int Partition { get; }

    /// <summary>Records scanned and waiting to be handed over.</summary>
    internal int Waiting { get; private set; }

    /// <summary>Estimated wire bytes of the waiting records (<see cref="HandOffPolicy.WireSize"/>).</summary>
    internal long WaitingBytes { get; private set; }

    /// <summary>Records handed to librdkafka whose delivery report has not been taken.</summary>
    internal int InFlight { get; private set; }

    /// <summary>Stopwatch timestamp of the last hand-off or delivery report: how long the partition has gone without progress.</summary>
    internal long LastProgress;

    /// <summary>Whether the gate holds records back while others are in flight (see <see cref="HandOffPolicy"/>). Starts engaged: a round trip is not known yet.</summary>
    internal bool Engaged = true;

    /// <summary>Whether it is in the worker's list of gates with waiting records.</summary>
    internal bool Listed;

    /// <summary>Stopwatch timestamp at which the oldest waiting record was scanned (valid when <see cref="Waiting"/> &gt; 0).</summary>
    internal long OldestArrival => _arrivals[_head];

    /// <summary>Stopwatch timestamp of the oldest hand-off that still has messages in flight (valid when <see cref="InFlight"/> &gt; 0).</summary>
    internal long OldestHandOff => _handOffTimes[_handOffHead];

    /// <summary>Records that <paramref name="count"/> messages were handed at <paramref name="time"/>.</summary>
    internal void HandedOff(long time, int count)
    {
        InFlight += count;
        if (_handOffCount == _handOffTimes.Length)
        {
            var times = new long[_handOffTimes.Length * 2];
            var counts = new int[_handOffTimes.Length * 2];
            for (int i = 0; i < _handOffCount; i++)
            {
                int at = (_handOffHead + i) & (_handOffTimes.Length - 1);
                times[i] = _handOffTimes[at];
                counts[i] = _handOffCounts[at];
            }

            _handOffTimes = times;
            _handOffCounts = counts;
            _handOffHead = 0;
        }

        int tail = (_handOffHead + _handOffCount) & (_handOffTimes.Length - 1);
        _handOffTimes[tail] = time;
        _handOffCounts[tail] = count;
        _handOffCount++;
    }

    /// <summary>A message handed earlier has its delivery report (reports come in hand-off order within a partition).</summary>
    internal void Reported()
    {
        InFlight--;
        if (_handOffCount > 0 && --_handOffCounts[_handOffHead] == 0)
        {
            _handOffHead = (_handOffHead + 1) & (_handOffTimes.Length - 1);
            _handOffCount--;
        }
    }

    /// <summary>A one-element rd_kafka_topic_partition_list_t naming this partition (for pause/resume), made on first use; freed by <see cref="Dispose"/>.</summary>
    internal RdKafkaTopicPartitionList* PartitionList
    {
        get
        {
            if (_partitionList == null)
            {
                byte[] name = Encoding.UTF8.GetBytes(Topic.Name + "\0");
                fixed (byte* topic = name)
                {
                    _partitionList = LibRdKafka.TopicPartitionListNew(1);
                    LibRdKafka.TopicPartitionListAdd(_partitionList, topic, Partition);
                }
            }

            return _partitionList;
        }
    }

    private RdKafkaTopicPartitionList* _partitionList;

    /// <summary>Worker thread, at shutdown: frees native memory.</summary>
    internal void Dispose()
    {
        if (_partitionList != null)
        {
            LibRdKafka.TopicPartitionListDestroy((nint)_partitionList);
            _partitionList = null;
        }
    }

    internal MessageRecord* Peek(int index) => (MessageRecord*)_records[(_head + index) & (_records.Length - 1)];

    /// <summary>The estimated wire size of the waiting record at <paramref name="index"/>.</summary>
    internal int WireSizeAt(int index) => _sizes[(_head + index) & (_records.Length - 1)];

    internal void Enqueue(MessageRecord* record, long arrival, int wireSize)
    {
        if (Waiting == _records.Length)
        {
            Grow();
        }

        int tail = (_head + Waiting) & (_records.Length - 1);
        _records[tail] = (nint)record;
        _arrivals[tail] = arrival;
        _sizes[tail] = wireSize;
        WaitingBytes += wireSize;
        Waiting++;
    }

    /// <summary>Removes the first <paramref name="count"/> records (handed over or failed).</summary>
    internal void Dequeue(int count)
    {
        for (int i = 0; i < count; i++)
        {
            WaitingBytes -= _sizes[(_head + i) & (_records.Length - 1)];
        }

        _head = (_head + count) & (_records.Length - 1);
        Waiting -= count;
        if (Waiting == 0)
        {
            _head = 0;
            WaitingBytes = 0;
        }
    }

    private void Grow()
    {
        var records = new nint[_records.Length * 2];
        var arrivals = new long[_records.Length * 2];
        var sizes = new int[_records.Length * 2];
        for (int i = 0; i < Waiting; i++)
        {
            int at = (_head + i) & (_records.Length - 1);
            records[i] = _records[at];
            arrivals[i] = _arrivals[at];
            sizes[i] = _sizes[at];
        }

        _records = records;
        _arrivals = arrivals;
        _sizes = sizes;
        _head = 0;
    }
}

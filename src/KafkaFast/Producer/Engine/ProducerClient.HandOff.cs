using System.Diagnostics;
using System.Numerics;
using System.Runtime.InteropServices;
using KafkaFast.Buffers;
using KafkaFast.Native;

namespace KafkaFast.Producer.Engine;

/// <summary>
/// Worker side: the partition gates and the hand-off to librdkafka. Scanned records wait in their partition's
/// <see cref="PartitionGate"/>; <see cref="HandOffDue"/> hands each partition what is due, in order, with
/// rd_kafka_produce_batch (fixed partition: librdkafka's cheapest path) and, for records with headers or a
/// timestamp, rd_kafka_produceva, one record at a time in the same order.
/// </summary>
/// <remarks>
/// The one place where a record becomes librdkafka arguments is <see cref="Describe"/> (batch) and
/// <see cref="ProduceSingle"/> (produceva): a new record flag (e.g. a null key or value) is handled there.
/// </remarks>
internal sealed unsafe partial class ProducerClient
{
    /// <summary>Messages per rd_kafka_produce_batch call when the partition's gate is released (everything due goes, in chunks).</summary>
    private const int ProduceChunk = 256;

    /// <summary>A gated hand-off of at least this many messages pauses its partition while it runs (see <see cref="HandOff"/>).</summary>
    private const int PauseAtLeast = 512;

    /// <summary>
    /// The most messages of a gated hand-off that go in one rd_kafka_produce_batch call (72 bytes each in
    /// <see cref="_items"/>, which grows to it on first need). A gated hand-off is one request's worth, at most
    /// batch.num.messages (10,000 by default): it goes in one call unless that setting is larger than this.
    /// </summary>
    private const int GatedRunLimit = 16_384;

    private static readonly long s_housekeepingTicks = Stopwatch.Frequency / 4;

    private readonly HandOffPolicy _policy;

    /// <summary>Gates by topic index, then partition; created on first use.</summary>
    private PartitionGate?[]?[] _gates = [];

    /// <summary>Every gate this worker created (for statistics and close).</summary>
    private readonly List<PartitionGate> _allGates = [];

    /// <summary>Gates that have waiting records.</summary>
    private readonly List<PartitionGate> _listed = [];

    /// <summary>The messages of one rd_kafka_produce_batch call. Pinned so it can be passed without a fixed statement per call.</summary>
    private RdKafkaMessage[] _items = GC.AllocateArray<RdKafkaMessage>(ProduceChunk, pinned: true);

    private RdKafkaVu* _vus;
    private int _vuCapacity;

    /// <summary>librdkafka refused a message with QUEUE_FULL (its own limits set in Properties): no hand-off until it has room.</summary>
    private bool _queueFull;

    /// <summary>The budget had no room for librdkafka's share of the next record: no more hand-offs in this pass.</summary>
    private bool _shareStarved;

    /// <summary>librdkafka's share of records reported (or refused) in this pass, reused for this pass's hand-offs before it goes back.</summary>
    private long _credit;

    private long _nextHousekeeping;

    /// <summary>Pause-and-resume pairs made by this client (each leaves two ops in librdkafka until it is destroyed).</summary>
    private int _pauses;

    /// <summary>
    /// The most pause-and-resume pairs a client makes: 4,096 leave about 1 MiB in librdkafka for the client's life.
    /// Tests lower it.
    /// </summary>
    internal int PauseLimit { get; set; } = 4096;

    /// <summary>Messages librdkafka accepted in the hand-off under way (counted into the gate when it ends).</summary>
    private int _pendingHandOff;

    /// <summary>Published by the worker for <see cref="ProducerEngine.GetStatistics"/>.</summary>
    private StalledPartition[] _stalled = [];

    internal StalledPartition[] StalledPartitions => Volatile.Read(ref _stalled);

    /// <summary>A scanned, committed record joins its partition's gate.</summary>
    private void Admit(MessageRecord* record, long now)
    {
        if (record->Partition < 0)
        {
            AdmitUnresolved(record, now); // written while its topic was pending
            return;
        }

        if (_pending.Count > 0)
        {
            ResolveWaiting(record->TopicIndex, now); // records written before it while the topic was pending go first
        }

        Join(record, now);
    }

    /// <summary>A record with its partition joins that partition's gate.</summary>
    private void Join(MessageRecord* record, long now)
    {
        PartitionGate gate = GetGate(_engine.TopicAt(record->TopicIndex), record->Partition);
        if (gate.Waiting == 0 && gate.InFlight == 0)
        {
            gate.LastProgress = now; // the partition was idle: its wait starts now
        }

        gate.Enqueue(record, now, (int)Math.Min(int.MaxValue, HandOffPolicy.WireSize(record)));
        if (!gate.Listed)
        {
            gate.Listed = true;
            _listed.Add(gate);
        }
    }

    /// <summary>
    /// Hands every gate what is due: an engaged gate only when nothing of its partition is in flight, the others
    /// at once. Returns whether anything was handed (or failed).
    /// </summary>
    private bool HandOffDue(long now)
    {
        _shareStarved = false; // retried every pass: delivery reports (ours or another client's) free room
        bool any = false;
        for (int i = 0; i < _listed.Count;)
        {
            PartitionGate gate = _listed[i];
            if (gate.Waiting == 0)
            {
                gate.Listed = false;
                _listed[i] = _listed[^1];
                _listed.RemoveAt(_listed.Count - 1);
                continue;
            }

            i++;
            if (_queueFull || _shareStarved)
            {
                continue;
            }

            if (gate.Topic.HeldForHome && gate.Topic.HomeClient != Index)
            {
                continue; // the home client may still hold earlier records of this partition (see TopicState); it wakes us
            }

            if (_policy.Gated && gate.InFlight > 0)
            {
                if (!gate.Engaged && now - gate.OldestHandOff > _policy.EngageAfterTicks)
                {
                    // In flight longer than a short round trip allows: the cluster has slowed down. Engage now rather
                    // than at the next delivery report, so that no more queue behind the requests out there.
                    gate.Engaged = true;
                }

                if (gate.Engaged || gate.InFlight >= _policy.MaxMessages)
                {
                    // Engaged: the delivery reports (events) wake us. Released: at most about a request's worth in
                    // flight, so that should the cluster slow down, little is queued behind the requests out there.
                    continue;
                }
            }

            any |= HandOff(gate, now);
        }

        if (any)
        {
            DispatchCompletions(); // awaiters of records librdkafka refused outright
        }

        return any;
    }

    /// <summary>
    /// Hands the gate's waiting records to librdkafka, in order: engaged, at most one request's worth and within
    /// <see cref="HandOffPolicy.HandOffTimeBudgetTicks"/>; otherwise everything. Returns whether any left the gate.
    /// </summary>
    /// <remarks>
    /// An engaged gate's hand-off must reach librdkafka whole before its linger expires, or librdkafka sends the first
    /// part alone and spins on the rest until that request is answered. Its records without headers go in one
    /// rd_kafka_produce_batch call (a GC cannot suspend the worker inside it), and a big one is made with the partition
    /// paused, for a worker preempted inside the call for longer than the linger (seen on a busy machine: a 9-13 ms
    /// hand-off of 8,400 records). But librdkafka answers every pause or resume with an op on the partition's fetch
    /// queue, which a producer never serves: each stays until the client is destroyed (112 bytes). So a client pauses at
    /// most <see cref="PauseLimit"/> times in its life, then hands big batches in one call without pausing.
    /// </remarks>
    private bool HandOff(PartitionGate gate, long now)
    {
        bool gated = _policy.Gated && gate.Engaged;
        if (!gated || gate.Waiting < PauseAtLeast || _pauses >= PauseLimit)
        {
            return HandOffCore(gate, now, gated, timeBudget: gated);
        }

        // Pause and resume are served by librdkafka's main thread, which does not wake the partition's broker thread:
        // a zero-timeout flush does.
        _pauses++;
        _ = LibRdKafka.PausePartitions(_kafka, gate.PartitionList);
        try
        {
            return HandOffCore(gate, now, gated: true, timeBudget: false);
        }
        finally
        {
            _ = LibRdKafka.ResumePartitions(_kafka, gate.PartitionList);
            _ = LibRdKafka.Flush(_kafka, 0); // wakes every broker thread; returns at once (events mode: it only waits)
        }
    }

    private bool HandOffCore(PartitionGate gate, long now, bool gated, bool timeBudget)
    {
        int limit = Math.Min(gate.Waiting, gated || _policy.Gated ? _policy.MaxMessages - gate.InFlight : int.MaxValue);
        long stopAt = timeBudget ? Stopwatch.GetTimestamp() + _policy.HandOffTimeBudgetTicks : long.MaxValue;
        long bytes = 0;
        int handled = 0;
        nint rkt = gate.Topic.ClientTopics[Index];
        while (handled < limit && !_queueFull && !_shareStarved)
        {
            // A run of consecutive records that go in one produce_batch call: a gated hand-off's in one call.
            int runLimit = gated ? Math.Min(limit - handled, GatedRunLimit) : ProduceChunk;
            if (runLimit > _items.Length)
            {
                _items = GC.AllocateArray<RdKafkaMessage>((int)Math.Min(BitOperations.RoundUpToPowerOf2((uint)runLimit), GatedRunLimit), pinned: true);
            }

            int run = 0;
            while (handled + run < limit && run < runLimit)
            {
                MessageRecord* record = gate.Peek(run);
                if (record->NeedsSingleProduce)
                {
                    break;
                }

                long size = gate.WireSizeAt(run);
                if (gated && handled + run > 0 && bytes + size > _policy.MaxBytes)
                {
                    limit = handled + run; // one request's worth
                    break;
                }

                if (!TryChargeShare(record, limit - handled - run))
                {
                    limit = handled + run;
                    break;
                }

                bytes += size;
                Describe(ref _items[run], record);
                run++;
            }

            if (run > 0)
            {
                handled += ProduceRun(gate, rkt, run);
            }
            else if (handled < limit)
            {
                MessageRecord* record = gate.Peek(0);
                long size = gate.WireSizeAt(0);
                if (gated && handled > 0 && bytes + size > _policy.MaxBytes)
                {
                    break;
                }

                if (!TryChargeShare(record, limit - handled))
                {
                    break;
                }

                bytes += size;
                handled += ProduceSingle(gate, record);
            }

            if (Stopwatch.GetTimestamp() > stopAt)
            {
                break; // librdkafka's linger must cover the whole hand-off: the rest goes next time
            }
        }

        if (_pendingHandOff > 0)
        {
            gate.HandedOff(now, _pendingHandOff);
            _pendingHandOff = 0;
        }

        if (handled > 0)
        {
            gate.LastProgress = now;
        }

        return handled > 0;
    }

    /// <summary>librdkafka's share of the budget for a record (charged while librdkafka holds it).</summary>
    private long ShareOf(MessageRecord* record) =>
        MessageRecord.LibrdkafkaOverhead(record->KeyLength, record->HeaderCount, record->HeadersLength, _arena.ShareCap);

    /// <summary>
    /// Charges a record's share before it is handed: from the shares of records reported in this pass first, then
    /// from the budget. When the budget has no room, the hand-off stops there (the rest waits in the gate) and the
    /// reserve request threads leave for librdkafka grows by what <paramref name="waiting"/> records would need.
    /// </summary>
    private bool TryChargeShare(MessageRecord* record, int waiting)
    {
        long share = ShareOf(record);
        if (_credit >= share)
        {
            _credit -= share;
            _shareHeld += share;
            return true;
        }

        if (_arena.TryChargeLibrdkafka(share - _credit) || (_credit == 0 && _arena.TryOverdrawFirst(share)))
        {
            _credit = 0;
            _shareHeld += share;
            return true;
        }

        _shareStarved = true;
        _arena.RaiseReserve(share * Math.Max(1, waiting));
        return false;
    }

    /// <summary>A charged record was not handed after all (refused), or is reported: its share comes back as credit for this pass.</summary>
    private void RefundShare(MessageRecord* record)
    {
        long share = ShareOf(record);
        _credit += share;
        _shareHeld -= share;
    }

    /// <summary>End of a pass: the credit nobody used goes back to the budget.</summary>
    private void ReleaseCredit()
    {
        if (_credit > 0)
        {
            _arena.ReleaseLibrdkafka(_credit);
            _credit = 0;
            _engine.OnBudgetFreed();
        }
    }

    /// <summary>The librdkafka arguments of a record for rd_kafka_produce_batch (zero-copy: payload and key point into the slab).</summary>
    private static void Describe(ref RdKafkaMessage m, MessageRecord* record)
    {
        byte* key = (byte*)(record + 1);
        m = default;
        m.Payload = record->IsValueNull ? null : key + record->KeyLength; // null: a tombstone
        m.Length = (nuint)record->ValueLength;
        m.Key = record->IsKeyNull ? null : key; // null: no key; an empty key keeps its (valid) pointer and is sent as empty
        m.KeyLength = (nuint)record->KeyLength;
        m.Private = record;
    }

    /// <summary>
    /// One rd_kafka_produce_batch call for the first <paramref name="count"/> waiting records of the gate (already
    /// described in <see cref="_items"/>). Returns how many left the gate: handed, or failed with librdkafka's reason;
    /// on QUEUE_FULL the refused ones stay at the head of the gate, in order.
    /// </summary>
    private int ProduceRun(PartitionGate gate, nint rkt, int count)
    {
        fixed (RdKafkaMessage* items = _items)
        {
            int enqueued = LibRdKafka.ProduceBatch(rkt, gate.Partition, 0, items, count);
            if (enqueued == count)
            {
                _pendingHandOff += count;
                gate.Dequeue(count);
                return count;
            }

            for (int i = 0; i < count; i++)
            {
                int err = items[i].Err;
                if (err == (int)KafkaErrorCode.QueueFull)
                {
                    // librdkafka's own limits (set in Properties) are reached; every later message got the same error.
                    _queueFull = true;
                    for (int j = i; j < count; j++)
                    {
                        RefundShare((MessageRecord*)items[j].Private);
                    }

                    gate.Dequeue(i);
                    return i;
                }

                if (err == 0)
                {
                    _pendingHandOff++;
                }
                else
                {
                    RefundShare((MessageRecord*)items[i].Private);
                    FailRecord((MessageRecord*)items[i].Private, err, _engine.ErrorText(err), PersistenceStatus.NotPersisted, gate.Partition);
                }
            }

            gate.Dequeue(count);
            return count;
        }
    }

    /// <summary>rd_kafka_produceva for the gate's first record (headers or a timestamp; librdkafka copies header values, not the value). Returns 1 if it left the gate.</summary>
    private int ProduceSingle(PartitionGate gate, MessageRecord* record)
    {
        byte* key = (byte*)(record + 1);
        byte* value = key + record->KeyLength;
        int needed = 8 + record->HeaderCount;
        if (needed > _vuCapacity)
        {
            _vus = (RdKafkaVu*)NativeMemory.Realloc(_vus, (nuint)(needed * sizeof(RdKafkaVu)));
            _vuCapacity = needed;
        }

        int n = 0;
        _vus[n++] = RdKafkaVu.OfPointer(RdKafkaVu.TopicHandle, (void*)gate.Topic.ClientTopics[Index]);
        _vus[n++] = RdKafkaVu.OfInt32(RdKafkaVu.PartitionType, gate.Partition);
        _vus[n++] = RdKafkaVu.OfInt32(RdKafkaVu.MsgFlags, 0); // zero-copy: no F_COPY, no F_FREE
        _vus[n++] = RdKafkaVu.OfMemory(RdKafkaVu.Value, record->IsValueNull ? null : value, (nuint)record->ValueLength); // null: a tombstone
        if (!record->IsKeyNull)
        {
            _vus[n++] = RdKafkaVu.OfMemory(RdKafkaVu.Key, key, (nuint)record->KeyLength);
        }

        _vus[n++] = RdKafkaVu.OfPointer(RdKafkaVu.Opaque, record);
        if (record->Timestamp != 0)
        {
            _vus[n++] = RdKafkaVu.OfInt64(RdKafkaVu.Timestamp, record->Timestamp);
        }

        byte* header = value + record->ValueLength;
        for (int i = 0; i < record->HeaderCount; i++)
        {
            HeaderCodec.Read(ref header, out byte* name, out byte* headerValue, out int headerValueLength);
            _vus[n++] = RdKafkaVu.OfHeader(name, headerValue, headerValueLength);
        }

        nint error = LibRdKafka.ProduceVa(_kafka, _vus, (nuint)n);
        if (error == 0)
        {
            _pendingHandOff++;
            gate.Dequeue(1);
            return 1;
        }

        (int code, string text) = LibRdKafka.TakeError(error);
        RefundShare(record);
        if (code == (int)KafkaErrorCode.QueueFull)
        {
            _queueFull = true;
            return 0;
        }

        gate.Dequeue(1);
        FailRecord(record, code, text, PersistenceStatus.NotPersisted, gate.Partition);
        return 1;
    }

    /// <summary>Fails every record waiting in a gate (close deadline passed). Returns whether there were any.</summary>
    private bool FailWaiting(int error, string reason)
    {
        bool any = false;
        foreach (PartitionGate gate in _listed)
        {
            while (gate.Waiting > 0)
            {
                MessageRecord* record = gate.Peek(0);
                gate.Dequeue(1);
                FailRecord(record, error, reason, PersistenceStatus.NotPersisted, gate.Partition);
                any = true;
            }

            gate.Listed = false;
        }

        _listed.Clear();
        DispatchCompletions();
        return any;
    }

    /// <summary>Periodic work: publishes the partitions that have stalled.</summary>
    private void Housekeeping(long now)
    {
        if (now < _nextHousekeeping)
        {
            return;
        }

        _nextHousekeeping = now + s_housekeepingTicks;
        _arena.DecayReserve();
        ExpireWaiting(now);
        _ = NativeHeapTrim.TrimIfDue(now); // librdkafka's freed buffers back to the kernel (the budget is about RSS)
        long threshold = (long)(_engine.StallThreshold.TotalSeconds * Stopwatch.Frequency);
        List<StalledPartition>? stalled = null;
        foreach (PartitionGate gate in _allGates)
        {
            if ((gate.Waiting > 0 || gate.InFlight > 0) && now - gate.LastProgress > threshold)
            {
                (stalled ??= []).Add(new StalledPartition(gate.Topic.Name, gate.Partition, gate.Waiting, gate.InFlight,
                    TimeSpan.FromSeconds((double)(now - gate.LastProgress) / Stopwatch.Frequency)));
            }
        }

        if (stalled is not null || _stalled.Length > 0)
        {
            Volatile.Write(ref _stalled, stalled?.ToArray() ?? []);
        }
    }

    /// <summary>
    /// A delivery report's latency (produce call to report, µs) tells the partition's round trip: the linger, then
    /// the request's. The gate engages when the round trip passes the linger and releases under half of it.
    /// </summary>
    private void ObserveLatency(PartitionGate gate, long latencyMicroseconds)
    {
        if (!_policy.Gated || latencyMicroseconds < 0)
        {
            return;
        }

        long roundTrip = latencyMicroseconds - (long)(_policy.LingerMs * 1000);
        if (gate.Engaged ? roundTrip < _policy.ReleaseBelowMicroseconds : roundTrip > _policy.EngageAboveMicroseconds)
        {
            gate.Engaged = !gate.Engaged;
        }
    }

    /// <summary>
    /// Records that waited in a gate longer than message.timeout.ms (their partition stalled, or held) fail as
    /// librdkafka would have failed them, instead of being handed over with a fresh timeout. (librdkafka's own
    /// timeout starts at the hand-off: a record handed over just in time may take up to twice the timeout in all.)
    /// </summary>
    private void ExpireWaiting(long now)
    {
        long timeout = _policy.MessageTimeoutTicks;
        foreach (PartitionGate gate in _listed)
        {
            while (gate.Waiting > 0 && now - gate.OldestArrival > timeout)
            {
                MessageRecord* record = gate.Peek(0);
                gate.Dequeue(1);
                FailRecord(record, (int)KafkaErrorCode.MessageTimedOut,
                    $"waited longer than message.timeout.ms ({_policy.MessageTimeoutMs} ms) in the producer before librdkafka could take it: partition {gate.Partition} of '{gate.Topic.Name}' made no progress (leader unreachable or the cluster slow)", PersistenceStatus.NotPersisted, gate.Partition);
            }
        }

        DispatchCompletions();
    }

    private PartitionGate GateOf(MessageRecord* record) => _gates[record->TopicIndex]![record->Partition]!;

    private PartitionGate GetGate(TopicState topic, int partition)
    {
        if (topic.Index >= _gates.Length)
        {
            Array.Resize(ref _gates, Math.Max(topic.Index + 1, _gates.Length * 2));
        }

        PartitionGate?[] byPartition = _gates[topic.Index] ??= new PartitionGate?[Math.Max(partition + 1, topic.PartitionCount)];
        if (partition >= byPartition.Length)
        {
            Array.Resize(ref byPartition, Math.Max(partition + 1, topic.PartitionCount));
            _gates[topic.Index] = byPartition;
        }

        PartitionGate? gate = byPartition[partition];
        if (gate is null)
        {
            gate = byPartition[partition] = new PartitionGate(topic, partition);
            _allGates.Add(gate);
        }

        return gate;
    }
}

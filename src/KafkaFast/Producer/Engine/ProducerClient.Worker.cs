using System.Diagnostics;
using System.Runtime.InteropServices;
using KafkaFast.Buffers;
using KafkaFast.Native;

namespace KafkaFast.Producer.Engine;

/// <summary>
/// The worker side of a client: one dedicated thread that scans committed records in slab order into per-partition
/// gates, hands them to librdkafka (ProducerClient.HandOff.cs), takes delivery reports in batches (events API),
/// frees slabs, and sleeps on eventfds between passes (see <see cref="Pause"/> and <see cref="Idle"/>). Every field
/// in this file is touched by the worker thread only, unless noted.
/// </summary>
internal sealed unsafe partial class ProducerClient
{
    private const int DeliveryReportChunk = 4096;
    private const int ScanBudget = 8192;     // records per pass before delivery reports are taken
    private const int EventBudget = 64;      // events per pass
    private const int ShallowIdleRounds = 20; // ~20 ms of 1 ms polls before a deep sleep that needs a wake-up
    private const int DeepSleepMs = 1000;
    private const int MaxPacedPauseMs = 5;   // bounds what pacing adds to a record's wait before its hand-off
    private const int PendingAwaitedLookahead = 64;

    private readonly nint _kafka;
    private readonly SafeQueueHandle _mainQueue;
    /// <summary>Request threads (deep sleep, awaited records, budget full) and the engine (flush, close, topics) signal it.</summary>
    private readonly SafeEventFdHandle _wake;

    /// <summary>librdkafka signals it when its main queue (delivery reports, errors, logs, statistics) becomes non-empty.</summary>
    private readonly SafeEventFdHandle _reports;
    private readonly RdKafkaMessage** _drMessages;

    /// <summary>
    /// Written by the worker only (per delivery report); read by anyone (aligned 64-bit loads are atomic on 64-bit).
    /// Padded so these writes do not evict the fields request threads read on every call (_current, _sleeping).
    /// </summary>
    private PaddedInt64 _delivered;
    private PaddedInt64 _failed;

    private Slab? _scanSlab;

    /// <summary>Slabs the scan has entered and that still hold unreported records (in scan order).</summary>
    private readonly List<Slab> _liveSlabs = [];

    private Thread? _thread;

    /// <summary>Awaiters completed in the current pass, not yet handed to the thread pool.</summary>
    private DeliveryCompletionBatch? _completions;

    /// <summary>Stands in for the batch when a failed record has no awaiter (never receives anything).</summary>
    private static readonly DeliveryCompletionBatch s_noAwaiters = DeliveryCompletionBatch.Rent(new Stack<DeliveryCompletionBatch>());

    /// <summary>How long the worker lets records accumulate once it has caught up while reports are awaited: 1 ms, or 0 when linger is under 1 ms.</summary>
    private int _batchPauseMs;

    /// <summary>The pause when nobody awaits reports: half of linger.ms, 1 to <see cref="MaxPacedPauseMs"/> (0 when linger is under 1 ms). Tests lengthen it.</summary>
    private int _pacedPauseMs;

    /// <summary>Records with an awaiter (ProduceAsync) scanned and not yet reported: while there are any, reports wake the worker at once.</summary>
    private long _awaited;

    /// <summary>When the current paced pause began (Stopwatch ticks), 0 while reports wake the worker: reports taken after it may have waited since.</summary>
    private long _reportsUnwatchedSince;

    /// <summary>Every Nth delivery report to the application's observer; null when none is set.</summary>
    private DeliveryReportSampler? _deliverySampler;

    internal void Start()
    {
        _batchPauseMs = _policy.LingerMs >= 1 ? 1 : 0;
        _pacedPauseMs = _batchPauseMs == 0 ? 0 : Math.Clamp((int)(_policy.LingerMs / 2), 1, MaxPacedPauseMs);
        _deliverySampler = DeliveryReportSampler.For(_engine);
        _thread = new Thread(Run) { IsBackground = true, Name = $"KafkaFast producer {Index}" };
        _thread.UnsafeStart();
    }

    internal bool IsWorkerThread => Thread.CurrentThread == _thread;

    /// <summary>The paced pause in ms (tests set a long one so that a missing wake-up shows as a timeout, not as a slow test).</summary>
    internal int PacedPauseMs
    {
        get => Volatile.Read(ref _pacedPauseMs);
        set => Volatile.Write(ref _pacedPauseMs, value);
    }

    private void Run()
    {
        try
        {
            Loop();
        }
        catch (Exception e)
        {
            Crashed(e); // ProducerClient.Crash.cs
        }
        finally
        {
            Shutdown();
            _engine.OnWorkerStopped();
        }
    }

    private void Loop()
    {
        int idleRounds = 0;
        while (true)
        {
            _engine.WorkerFaultHook?.Invoke(this, WorkerFaultPoint.Pass); // tests only: null otherwise
            long now = Stopwatch.GetTimestamp();
            int scanned = Scan(now);
            ServePending(now);
            bool progress = scanned > 0;
            progress |= TakeEvents() > 0;
            progress |= HandOffDue(Stopwatch.GetTimestamp());
            ReleaseCredit();
            Housekeeping(now);
            AssertInvariants();

            if (_engine.IsClosing)
            {
                if (IsDrained())
                {
                    return;
                }

                if (_engine.CloseDeadlinePassed)
                {
                    PurgeRemaining("purged at close: not handed to librdkafka before CloseTimeout");
                    return;
                }
            }

            if (progress)
            {
                idleRounds = 0;
                if (scanned < ScanBudget && _batchPauseMs > 0 && !_engine.IsDraining)
                {
                    Pause();
                }

                continue;
            }

            Idle(ref idleRounds);
        }
    }

    /// <summary>Moves committed records, in slab order, into their partitions' gates, up to <see cref="ScanBudget"/>.</summary>
    private int Scan(long now)
    {
        Slab? slab = _scanSlab;
        if (slab is null)
        {
            slab = _scanSlab = Volatile.Read(ref _chainHead);
            if (slab is null)
            {
                return 0;
            }

            _liveSlabs.Add(slab);
        }

        int scanned = 0;
        while (scanned < ScanBudget)
        {
            long position = slab.ScanPosition;
            long sealedAt = Volatile.Read(ref slab.SealedLength);
            if (sealedAt >= 0 && position >= sealedAt)
            {
                Slab? next = Volatile.Read(ref slab.Next);
                if (next is null)
                {
                    break; // the next slab is not installed yet
                }

                slab.FullyScanned = true;
                _scanSlab = next;
                _liveSlabs.Add(next);
                ReleaseIfDone(slab);
                slab = next;
                continue;
            }

            if (position >= slab.Capacity)
            {
                break; // full; waiting for the sealer to say where records end
            }

            MessageRecord* record = slab.RecordAt(position);
            int state = Volatile.Read(ref record->State); // acquire: the record's other fields are visible after this
            if (state == MessageRecord.StateEmpty)
            {
                break; // not reserved yet, or a request thread is still writing it
            }

            if (state == MessageRecord.StateCommitted)
            {
                if (record->CompletionId != 0)
                {
                    _awaited++;
                }

                slab.Outstanding++;
                slab.BytesInFlight += record->TotalSize;
                Admit(record, now);
                scanned++;
            }

            slab.ScanPosition = position + record->TotalSize;
        }

        return scanned;
    }

    private int TakeEvents()
    {
        int taken = 0;
        nint queue = _mainQueue.DangerousGetHandle();
        while (taken < EventBudget)
        {
            nint ev = LibRdKafka.QueuePoll(queue, 0);
            if (ev == 0)
            {
                break;
            }

            taken++;
            try
            {
                switch (LibRdKafka.EventType(ev))
                {
                    case LibRdKafka.EventTypeDeliveryReport:
                        _engine.WorkerFaultHook?.Invoke(this, WorkerFaultPoint.DeliveryReports); // tests only
                        TakeDeliveryReports(ev);
                        break;
                    case LibRdKafka.EventTypeError:
                        _engine.OnClientError(this, ev);
                        break;
                    case LibRdKafka.EventTypeLog:
                        _engine.OnClientLog(this, ev);
                        break;
                    case LibRdKafka.EventTypeStats:
                        _engine.OnClientStatistics(this, LibRdKafka.Utf8(LibRdKafka.EventStats(ev)));
                        break;
                }
            }
            finally
            {
                LibRdKafka.EventDestroy(ev); // also returns the messages' share of librdkafka's queue limits
            }
        }

        DispatchCompletions();
        _reportsUnwatchedSince = 0;
        if (taken > 0)
        {
            _queueFull = false; // librdkafka had room freed, if it was full
            if (InFlight == 0)
            {
                _engine.OnClientDrained();
            }
        }

        return taken;
    }

    /// <summary>The batch awaiters completed in this pass go into; dispatched when full or at the end of the pass.</summary>
    private DeliveryCompletionBatch Completions()
    {
        DeliveryCompletionBatch batch = _completions ??= _engine.RentCompletionBatch();
        if (batch.IsFull)
        {
            DispatchCompletions();
            batch = _completions = _engine.RentCompletionBatch();
        }

        return batch;
    }

    private void DispatchCompletions()
    {
        if (_completions is { Count: > 0 } batch)
        {
            _completions = null;
            ThreadPool.UnsafeQueueUserWorkItem(batch, preferLocal: false);
        }
    }

    private void TakeDeliveryReports(nint ev)
    {
        long now = Stopwatch.GetTimestamp();

        // After a paced pause a report may have waited in librdkafka's queue since the pause began: its latency then
        // overstates the partition's round trip by up to that much, which must not engage a gate.
        long unwatchedMicroseconds = _reportsUnwatchedSince == 0 ? 0 : (now - _reportsUnwatchedSince) * 1_000_000 / Stopwatch.Frequency;
        PartitionGate? previous = null;
        nuint count;
        while ((count = LibRdKafka.EventMessageArray(ev, _drMessages, DeliveryReportChunk)) > 0)
        {
            for (nuint i = 0; i < count; i++)
            {
                RdKafkaMessage* message = _drMessages[i];
                var record = (MessageRecord*)message->Private;
                PartitionGate gate = GateOf(record);
                RefundShare(record);
                if (gate != previous)
                {
                    long latency = LibRdKafka.MessageLatency(message); // the first report of a request: it waited longest
                    ObserveLatency(gate, latency < 0 ? latency : Math.Max(0, latency - unwatchedMicroseconds));
                    previous = gate;
                }

                gate.Reported();
                gate.LastProgress = now;
                if (_deliverySampler is { } sampler && sampler.Due())
                {
                    sampler.Sample(message, record); // before the record is released
                }

                if (message->Err == 0)
                {
                    Volatile.Write(ref _delivered.Value, _delivered.Value + 1);
                    if (record->CompletionId != 0)
                    {
                        _awaited--;
                        int timestampType;
                        long timestamp = LibRdKafka.MessageTimestamp(message, &timestampType);
                        _engine.CompleteDelivered(Completions(), record, message->Partition, message->Offset, timestamp, timestampType);
                    }

                    ReleaseRecord(record);
                }
                else
                {
                    string reason = _engine.ErrorText(message->Err);
                    byte* detail = LibRdKafka.MessageProduceErrstr(message);
                    if (detail != null && *detail != 0)
                    {
                        string text = LibRdKafka.Utf8(detail);
                        if (text != reason)
                        {
                            reason = $"{reason}: {text}";
                        }
                    }

                    FailRecord(record, message->Err, reason, (PersistenceStatus)LibRdKafka.MessageStatus(message), message->Partition);
                }
            }
        }
    }

    private void FailRecord(MessageRecord* record, int error, string reason, PersistenceStatus status, int partition)
    {
        if (_crashReason is { } crash && error != (int)KafkaErrorCode.Fatal)
        {
            // Purged (or refused) because the worker crashed: the crash is the reason, librdkafka's code the detail.
            reason = $"{crash} (librdkafka: {reason})";
            error = (int)KafkaErrorCode.Fatal;
        }

        Volatile.Write(ref _failed.Value, _failed.Value + 1);
        if (record->CompletionId != 0)
        {
            _awaited--;
        }

        _engine.CompleteFailed(record->CompletionId != 0 ? Completions() : s_noAwaiters, record, (KafkaErrorCode)error, reason, status, partition);
        ReleaseRecord(record);
    }

    /// <summary>The record is reported (delivered or failed): marks it so and gives its slab space back once the slab is done.</summary>
    private void ReleaseRecord(MessageRecord* record)
    {
        record->State = MessageRecord.StateReported;
        Slab slab = _arena.GetSlab(record->SlabIndex);
        slab.BytesInFlight -= record->TotalSize;
        int outstanding = --slab.Outstanding;
        slab.AssertInvariants();
        if (outstanding == 0)
        {
            ReleaseIfDone(slab);
        }
    }

    private void ReleaseIfDone(Slab slab)
    {
        slab.AssertInvariants();
        if (slab.FullyScanned && slab.Outstanding == 0)
        {
            Debug.Assert(ReferenceEquals(Volatile.Read(ref slab.Owner), this), "only the client that filled a slab frees it");
            _liveSlabs.Remove(slab);
            slab.Reset();
            _arena.Return(slab);
            _engine.OnBudgetFreed();
        }
    }

    /// <summary>
    /// Caught up with the request threads: lets a batch build up instead of chasing them record by record (which
    /// bounces the cache line being written between cores); request threads do not signal a pause. When somebody
    /// waits on delivery reports (<see cref="WantsPromptReports"/>), the pause is 1 ms and librdkafka's report events
    /// end it at once. Otherwise it follows linger.ms (<see cref="_pacedPauseMs"/>, half of it): librdkafka holds a
    /// batch that long anyway, and the reports, which then only free memory and count, wait for the next pass. A
    /// record with an awaiter, a writer refused for want of budget, a flush, close or topic change end it early.
    /// </summary>
    private void Pause()
    {
        if (WantsPromptReports())
        {
            _wake.Wait(_batchPauseMs, _reports);
            return;
        }

        Volatile.Write(ref _sleeping, SleepPacing);
        Interlocked.MemoryBarrier(); // Dekker with Publish: either it sees SleepPacing or we see its awaited record
        if (!HasPendingAwaited())
        {
            _reportsUnwatchedSince = Stopwatch.GetTimestamp();
            _wake.Wait(Volatile.Read(ref _pacedPauseMs));
        }

        Volatile.Write(ref _sleeping, 0);
    }

    /// <summary>
    /// Whether somebody waits on delivery reports: awaiters (ProduceAsync), gates holding records until their
    /// partition's reports are in, librdkafka's queue full or the budget short of its share, budget or flush waiters,
    /// or a budget three quarters full (writers would be refused before a paced pass frees it).
    /// </summary>
    private bool WantsPromptReports()
    {
        if (_awaited > 0 || _queueFull || _shareStarved || _engine.BudgetFreed.HasWaiters || _engine.Drained.HasWaiters ||
            _arena.BytesInUse > _arena.Budget - _arena.Budget / 4)
        {
            return true;
        }

        foreach (PartitionGate gate in _listed)
        {
            if (gate.Waiting > 0)
            {
                return true; // HandOffDue left it waiting: for reports, or for room they free
            }
        }

        return false;
    }

    /// <summary>
    /// Whether a record with an awaiter was committed after the last scan: the next few records of the slab being
    /// scanned are looked at (one committed in a later slab, or after more TryProduce records, waits for the pause).
    /// </summary>
    private bool HasPendingAwaited()
    {
        if (_scanSlab is not { } slab)
        {
            return false;
        }

        long position = slab.ScanPosition;
        long sealedAt = Volatile.Read(ref slab.SealedLength);
        long end = sealedAt >= 0 ? sealedAt : slab.Capacity;
        for (int i = 0; i < PendingAwaitedLookahead && position < end; i++)
        {
            MessageRecord* record = slab.RecordAt(position);
            int state = Volatile.Read(ref record->State); // acquire, as in Scan
            if (state == MessageRecord.StateEmpty)
            {
                return false;
            }

            if (state == MessageRecord.StateCommitted && record->CompletionId != 0)
            {
                return true;
            }

            position += record->TotalSize;
        }

        return false;
    }

    private void Idle(ref int idleRounds)
    {
        if (idleRounds < ShallowIdleRounds || _queueFull || _shareStarved)
        {
            // Shallow: a 1 ms poll. Request threads do not signal in this state, so a trickle of messages costs them nothing.
            idleRounds++;
            _wake.Wait(1, _reports);
            return;
        }

        Volatile.Write(ref _sleeping, SleepDeep);
        Interlocked.MemoryBarrier(); // Dekker with Publish: either it sees SleepDeep or we see its commit
        if (HasPendingRecord() || _engine.IsClosing || _engine.IsDraining || LibRdKafka.QueueLength(_mainQueue.DangerousGetHandle()) > 0)
        {
            Volatile.Write(ref _sleeping, 0);
            idleRounds = 0;
            return;
        }

        _wake.Wait(DeepSleepMs, _reports); // request threads write to _wake, librdkafka's io event to _reports
        Volatile.Write(ref _sleeping, 0);
        idleRounds = 0;
    }

    private bool HasPendingRecord()
    {
        Slab? slab = _scanSlab ?? Volatile.Read(ref _chainHead);
        if (slab is null)
        {
            return false;
        }

        long position = slab.ScanPosition;
        long sealedAt = Volatile.Read(ref slab.SealedLength);
        if (sealedAt >= 0 && position >= sealedAt)
        {
            return Volatile.Read(ref slab.Next) is not null;
        }

        return position < slab.Capacity && Volatile.Read(ref slab.RecordAt(position)->State) != MessageRecord.StateEmpty;
    }

    /// <summary>Closing: every record up to the seal is scanned, handed over and reported.</summary>
    private bool IsDrained() =>
        !HasPendingRecord() && IsScanAtSeal() && InFlight == 0;

    private bool IsScanAtSeal()
    {
        Slab? slab = _scanSlab ?? Volatile.Read(ref _chainHead);
        if (slab is null)
        {
            return true;
        }

        long sealedAt = Volatile.Read(ref slab.SealedLength);
        return sealedAt >= 0 && slab.ScanPosition >= sealedAt && Volatile.Read(ref slab.Next) is null;
    }

    /// <summary>
    /// Close deadline passed, or the worker crashed: fail what librdkafka has not delivered (purge) and what it never
    /// received, each with a reason (<paramref name="notSent"/> for the latter), then take the purge reports.
    /// </summary>
    private void PurgeRemaining(string notSent)
    {
        _ = LibRdKafka.Purge(_kafka, LibRdKafka.PurgeQueue | LibRdKafka.PurgeInFlight); // only fails for invalid flags
        int notSentError = (int)(_crashReason is null ? KafkaErrorCode.PurgeQueue : KafkaErrorCode.Fatal);
        FailWaiting(notSentError, notSent);
        FailPending(notSentError, notSent);

        // Every record still in the slabs goes straight to a failure instead of a gate.
        while (true)
        {
            Scan(Stopwatch.GetTimestamp());
            if (!FailWaiting(notSentError, notSent) & !FailPending(notSentError, notSent))
            {
                break;
            }
        }

        DispatchCompletions();
        long until = Environment.TickCount64 + 5000;
        while (InFlight > 0 && Environment.TickCount64 < until)
        {
            if (TakeEvents() == 0)
            {
                if (LibRdKafka.OutqLen(_kafka) == 0)
                {
                    break; // librdkafka holds nothing and has no report queued: the rest lost theirs (FailUnreported)
                }

                _wake.Wait(10, _reports);
            }

            ReleaseCredit();
        }
    }

    /// <summary>Destroys this client's native objects; librdkafka's threads are gone when it returns.</summary>
    private void Shutdown()
    {
        foreach (PartitionGate gate in _allGates)
        {
            gate.Dispose();
        }

        _engine.ReleaseTopicHandles(Index);
        _mainQueue.Dispose();
        Kafka.Dispose(); // rd_kafka_destroy; then releases its hold on the slab memory
        FailUnreported(); // ProducerClient.Crash.cs: nothing held is left without a report; slabs back to the arena
        _wake.Dispose();
        _reports.Dispose(); // after rd_kafka_destroy: librdkafka writes to it until then
        NativeMemory.Free(_drMessages);
        NativeMemory.Free(_vus);
        _vus = null;
    }

    /// <summary>Debug: the worker's rules, checked after every pass of <see cref="Loop"/>. Worker thread only.</summary>
    [Conditional("DEBUG")]
    private void AssertInvariants()
    {
        Debug.Assert(IsWorkerThread, "the worker's fields are touched by the worker thread only");
        long reported = _delivered.Value + _failed.Value; // worker-written: read before Accepted, which only grows
        Debug.Assert(Accepted >= reported, "accepted >= delivered + failed at every moment (accepted is counted before the commit)");
        if (_scanSlab is { } scanning)
        {
            Debug.Assert(ReferenceEquals(Volatile.Read(ref scanning.Owner), this) && !scanning.FullyScanned, "the slab being scanned is this client's and not yet fully scanned");
        }

        for (int i = 0; i < _liveSlabs.Count; i++)
        {
            Slab live = _liveSlabs[i];
            Debug.Assert(i == _liveSlabs.Count - 1 ? live == _scanSlab : live.FullyScanned && live.Outstanding > 0,
                "live slabs, in scan order: those the scan has left still hold unreported records; the last is the one being scanned");
            live.AssertInvariants();
        }
    }
}

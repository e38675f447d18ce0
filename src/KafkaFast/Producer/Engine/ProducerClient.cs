using System.Diagnostics;
using System.Runtime.InteropServices;
using KafkaFast.Buffers;
using KafkaFast.Native;

namespace KafkaFast.Producer.Engine;

/// <summary>
/// One librdkafka client instance and the slabs its partitions' messages are written into. This file is the
/// request-thread side: reserving space and publishing records, without locks, syscalls or P/Invoke (but for
/// one eventfd write when the worker sleeps). The worker side is in ProducerClient.Worker.cs.
/// </summary>
/// <remarks>
/// Invariants:
/// - <see cref="_current"/> is the slab request threads reserve from; it changes only through the install right
///   (a CAS from the old value to <see cref="s_installing"/>), so installs are serialized and the chain
///   (<see cref="_chainHead"/> .. <see cref="_chainTail"/> via <see cref="Slab.Next"/>) lists slabs in reservation order.
/// - A reservation is never given space past a slab's capacity; the one reservation that crosses the end seals
///   the slab at its own start, so every byte below <see cref="Slab.SealedLength"/> belongs to a record that will
///   be committed (or marked skip).
/// - After <see cref="SealForClose"/>, <see cref="_current"/> is <see cref="s_closed"/> forever: no new reservation.
/// </remarks>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "The worker thread destroys the native objects in Shutdown when it exits.")]
internal sealed unsafe partial class ProducerClient
{
    private static readonly Slab s_installing = new(-1, null, 0);
    private static readonly Slab s_closed = new(-2, null, 0);

    private readonly ProducerEngine _engine;
    private readonly SlabArena _arena;

    private Slab? _current;
    private Slab? _chainHead;
    private Slab? _chainTail;

    /// <summary>Messages accepted (committed) by request threads. Padded: request threads add to it on every call.</summary>
    private PaddedInt64 _accepted;

    /// <summary>
    /// <see cref="SleepDeep"/> while the worker sleeps without a timeout-bound poll: the first publisher to see it wakes
    /// the worker. <see cref="SleepPacing"/> during a linger-paced pause: only a record with an awaiter (or a writer
    /// refused for want of budget) wakes it. 0 otherwise.
    /// </summary>
    private int _sleeping;

    private const int SleepDeep = 1;
    private const int SleepPacing = 2;

    internal ProducerClient(ProducerEngine engine, int index, SafeKafkaHandle kafka)
    {
        _engine = engine;
        _arena = engine.Arena;
        _policy = engine.HandOff;
        Index = index;
        Kafka = kafka;
        _kafka = kafka.DangerousGetHandle();
        _mainQueue = new SafeQueueHandle(kafka, LibRdKafka.QueueGetMain(kafka));
        _wake = SafeEventFdHandle.Create();
        _reports = SafeEventFdHandle.Create(); // its own fd: a paced worker can sleep through librdkafka's wake-ups
        ulong one = 1;
        LibRdKafka.QueueIoEventEnable(_mainQueue, _reports.Fd, &one, sizeof(ulong));
        LibRdKafka.SetLogQueue(kafka, _mainQueue);
        _drMessages = (RdKafkaMessage**)NativeMemory.Alloc(DeliveryReportChunk, (nuint)sizeof(nint));
    }

    internal int Index { get; }

    internal SafeKafkaHandle Kafka { get; }

    internal long Accepted => Volatile.Read(ref _accepted.Value);

    internal long Delivered => Volatile.Read(ref _delivered.Value);

    internal long Failed => Volatile.Read(ref _failed.Value);

    /// <summary>Whether the worker is in its deep sleep, waiting for a wake-up (tests observe it instead of timing idle CPU).</summary>
    internal bool IsSleeping => Volatile.Read(ref _sleeping) == SleepDeep;

    /// <summary>Whether the worker is in a linger-paced pause, deaf to delivery reports (tests observe it).</summary>
    internal bool IsPacing => Volatile.Read(ref _sleeping) == SleepPacing;

    /// <summary>Accepted and not yet delivered or failed.</summary>
    internal long InFlight => Accepted - Delivered - Failed;

    /// <summary>
    /// Reserves <paramref name="size"/> bytes (8-aligned, at most a slab) for one or more records.
    /// Returns false when the budget is exhausted; throws when the producer is closed.
    /// </summary>
    internal bool TryReserve(long size, out Slab slab, out long offset)
    {
        SpinWait spin = default;
        while (true)
        {
            Slab? current = Volatile.Read(ref _current);
            if (current == s_installing)
            {
                spin.SpinOnce(sleep1Threshold: -1); // another thread is linking a fresh slab: a few instructions
                continue;
            }

            if (current == s_closed)
            {
                RefuseClosed();
                slab = null!;
                offset = 0;
                return false;
            }

            if (current is null)
            {
                if (!TryInstall(expected: null))
                {
                    if (Volatile.Read(ref _current) == s_closed)
                    {
                        RefuseClosed();
                    }

                    if (Volatile.Read(ref _sleeping) != 0)
                    {
                        WakeFromRequest(); // budget full: a pacing worker takes the delivery reports that free it now
                    }

                    slab = null!;
                    offset = 0;
                    return false;
                }

                continue;
            }

            long end = Interlocked.Add(ref current.Tail, size);
            long start = end - size;
            if (end <= current.Capacity)
            {
                // Owner cannot change until this space is committed or skipped (the slab cannot be freed before).
                if (Volatile.Read(ref current.Owner) == this)
                {
                    slab = current;
                    offset = start;
                    return true;
                }

                // Our reference was stale: the slab was freed and another client installed it. Void the space.
                MessageRecord* ghost = current.RecordAt(start);
                ghost->TotalSize = (int)size;
                Abandon(ghost);
                continue;
            }

            if (start <= current.Capacity)
            {
                Volatile.Write(ref current.SealedLength, start); // this reservation crossed the end: seal here
            }

            TryInstall(expected: current); // whoever wins links the next slab; the others retry on it
            spin.SpinOnce(sleep1Threshold: -1);
        }
    }

    /// <summary>
    /// Closed to reservations: after the worker crashed the call is refused (false, counted as Fatal: the request
    /// path never throws for it); after close it throws.
    /// </summary>
    private void RefuseClosed()
    {
        if (!HasCrashed)
        {
            _engine.ThrowClosed();
        }

        _engine.CountRejected(ProduceRejectReason.Fatal);
    }

    /// <summary>
    /// Replaces <paramref name="expected"/> as the current slab with a fresh one from the arena (or null when the
    /// budget is exhausted). Returns false if no slab was free.
    /// </summary>
    private bool TryInstall(Slab? expected)
    {
        if (Interlocked.CompareExchange(ref _current, s_installing, expected) != expected)
        {
            return true; // somebody else is installing or already did; retry on whatever is current
        }

        // We hold the install right: nobody else touches _chainTail until we publish _current.
        AssertHoldsInstallRight();
        if (expected is not null && Volatile.Read(ref expected.SealedLength) < 0)
        {
            // Not sealed (yet, or our reference was stale and the slab is in a fresh use): keep it.
            Volatile.Write(ref _current, expected);
            return true;
        }

        if (!_arena.TryRent(out Slab? fresh))
        {
            AssertHoldsInstallRight();
            Volatile.Write(ref _current, null);
            return false;
        }

        fresh!.Activate(this);
        if (_chainTail is null)
        {
            Volatile.Write(ref _chainHead, fresh);
        }
        else
        {
            Volatile.Write(ref _chainTail.Next, fresh);
        }

        _chainTail = fresh;
        AssertHoldsInstallRight();
        Debug.Assert(fresh.Next is null && ReferenceEquals(Volatile.Read(ref fresh.Owner), this), "the chain ends with the slab just installed, owned by this client");
        Volatile.Write(ref _current, fresh);
        return true;
    }

    /// <summary>Debug: <see cref="_current"/> changes only through the install right, which the caller holds.</summary>
    [Conditional("DEBUG")]
    private void AssertHoldsInstallRight() =>
        Debug.Assert(Volatile.Read(ref _current) == s_installing, "only the holder of the install right changes _current");

    /// <summary>Counts messages as accepted; always before their commit, so accepted >= delivered + failed at every moment.</summary>
    internal void AddAccepted(int count) => Interlocked.Add(ref _accepted.Value, count);

    /// <summary>Counts <paramref name="acceptedCount"/> messages, publishes a fully written record, and wakes the worker if it sleeps.</summary>
    internal void Publish(MessageRecord* record, int acceptedCount)
    {
        if (acceptedCount > 0)
        {
            AddAccepted(acceptedCount);
        }

        Interlocked.Exchange(ref record->State, MessageRecord.StateCommitted); // full fence: commit is visible before we read _sleeping
        int sleeping = Volatile.Read(ref _sleeping);
        if (sleeping != 0 && (sleeping == SleepDeep || record->CompletionId != 0))
        {
            WakeFromRequest(); // an awaiter does not wait for a pacing worker's pause
        }
    }

    /// <summary>Publishes a record as skippable (nothing accepted); the worker steps over it.</summary>
    internal static void Abandon(MessageRecord* record) =>
        Volatile.Write(ref record->State, MessageRecord.StateSkip);

    /// <summary>Shrinks a reservation that was larger than needed, if nobody reserved after it.</summary>
    internal static bool TryShrink(Slab slab, long offset, long reserved, long needed) =>
        Interlocked.CompareExchange(ref slab.Tail, offset + needed, offset + reserved) == offset + reserved;

    private void WakeFromRequest()
    {
        if (Interlocked.Exchange(ref _sleeping, 0) != 0)
        {
            _wake.Signal();
        }
    }

    /// <summary>Wakes the worker whatever it is doing (close, flush, topic changes); nothing once it has stopped (crashed, or closed).</summary>
    internal void Wake()
    {
        bool added = false;
        try
        {
            _wake.DangerousAddRef(ref added); // the worker closes the eventfd when it stops: never write to a reused descriptor
            _wake.Signal();
        }
        catch (ObjectDisposedException)
        {
        }
        finally
        {
            if (added)
            {
                _wake.DangerousRelease();
            }
        }
    }

    /// <summary>Stops new reservations for good and seals the current slab so the worker can drain up to it.</summary>
    internal void SealForClose()
    {
        SpinWait spin = default;
        while (true)
        {
            Slab? current = Volatile.Read(ref _current);
            if (current == s_closed)
            {
                return;
            }

            if (current == s_installing)
            {
                spin.SpinOnce(sleep1Threshold: -1);
                continue;
            }

            if (Interlocked.CompareExchange(ref _current, s_closed, current) == current)
            {
                current?.Seal();
                Wake();
                return;
            }
        }
    }
}

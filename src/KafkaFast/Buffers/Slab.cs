using System.Diagnostics;
using System.Runtime.InteropServices;

namespace KafkaFast.Buffers;

/// <summary>
/// A fixed block of the arena that request threads fill with <see cref="MessageRecord"/>s by atomic bump
/// allocation, and that one worker scans in order and hands to librdkafka.
/// </summary>
/// <remarks>
/// Life cycle: free (in the arena's stack, zeroed) -> installed as a client's current slab (request threads
/// reserve from it) -> sealed (a reservation crossed the end, or the producer closed: <see cref="SealedLength"/>
/// says where the records end) -> fully scanned by the worker -> every record's delivery report taken
/// (<see cref="Outstanding"/> = 0) -> zeroed and freed. Fields marked worker-only are touched by the client's
/// worker thread alone.
/// </remarks>
internal sealed unsafe class Slab
{
    internal Slab(int index, byte* start, int capacity)
    {
        Index = index;
        Start = start;
        Capacity = capacity;
    }

    internal int Index { get; }

    internal byte* Start { get; }

    internal int Capacity { get; }

    /// <summary>
    /// Next free byte; request threads advance it with Interlocked.Add. It runs past Capacity once sealed and stays
    /// there while the slab is free, so a request thread holding a stale reference can never get space in a free slab.
    /// Set back to 0 only by <see cref="Activate"/>.
    /// </summary>
    internal ref long Tail => ref _reservation.Tail;

    /// <summary>The client that installed the slab for its current use; a reservation in someone else's slab is void.</summary>
    internal ref object? Owner => ref _reservation.Owner;

    /// <summary>What request threads touch on every reservation, padded away from the fields the worker writes per record.</summary>
    private ReservationCell _reservation;

    /// <summary>-1 while open; once sealed, the offset where records end. Written once per use, by the sealer.</summary>
    internal long SealedLength = -1;

    /// <summary>The slab installed after this one for the same client (scan order); set under the client's install right.</summary>
    internal Slab? Next;

    /// <summary>Worker-only: offset of the next record to scan.</summary>
    internal long ScanPosition;

    /// <summary>Worker-only: records handed over (or pending) whose delivery report has not been taken.</summary>
    internal int Outstanding;

    /// <summary>Worker-only: the worker has moved past this slab.</summary>
    internal bool FullyScanned;

    /// <summary>
    /// Whether its pages may be resident (written since they were last handed back to the kernel). Touched only by
    /// whoever holds the slab: the arena while free (under a pop), the renting request thread, the worker.
    /// </summary>
    internal bool Warm;

    /// <summary>Worker-only: bytes of records (without padding) currently in flight, for statistics.</summary>
    internal long BytesInFlight;

    [StructLayout(LayoutKind.Explicit, Size = 128)]
    private struct ReservationCell
    {
        [FieldOffset(64)] public long Tail;
        [FieldOffset(72)] public object? Owner;
    }

    internal MessageRecord* RecordAt(long offset) => (MessageRecord*)(Start + offset);

    /// <summary>
    /// Seals the slab if nobody has: reserves everything left so later reservations overflow.
    /// Returns whether this call sealed it.
    /// </summary>
    internal bool Seal()
    {
        long start = Interlocked.Add(ref Tail, (long)Capacity + 1) - ((long)Capacity + 1);
        if (start <= Capacity)
        {
            Volatile.Write(ref SealedLength, start);
            return true;
        }

        return false;
    }

    /// <summary>Starts a use: called by the installing client while it holds its install right, before publishing the slab.</summary>
    internal void Activate(object owner)
    {
        AssertFree();
        Volatile.Write(ref Owner, owner);
        Volatile.Write(ref Tail, 0);
    }

    /// <summary>
    /// Worker-only: clears what this use wrote and resets every field for the next use, except <see cref="Tail"/>
    /// (still past Capacity) and <see cref="Owner"/>, which <see cref="Activate"/> sets.
    /// </summary>
    internal void Reset()
    {
        long used = Math.Min(Math.Max(SealedLength, ScanPosition), Capacity);
        new Span<byte>(Start, (int)used).Clear();
        Next = null;
        ScanPosition = 0;
        Outstanding = 0;
        FullyScanned = false;
        BytesInFlight = 0;
        Volatile.Write(ref SealedLength, -1);
        AssertFree();
    }

    /// <summary>
    /// Debug: the rules of a slab in use, as its worker sees them (request threads may seal it meanwhile, so the seal
    /// is read once and every rule holds for either value). Call on the worker thread.
    /// </summary>
    [Conditional("DEBUG")]
    internal void AssertInvariants()
    {
        long sealedAt = Volatile.Read(ref SealedLength);
        Debug.Assert(sealedAt == -1 || (sealedAt >= 0 && sealedAt <= Capacity), "SealedLength is -1 while open, else an offset within the slab");
        Debug.Assert(sealedAt < 0 || Volatile.Read(ref Tail) > Capacity, "once sealed, Tail is past Capacity: no reservation gets space any more");
        Debug.Assert(ScanPosition >= 0 && ScanPosition <= Capacity && ScanPosition % 8 == 0, "the scan moves from record to record: 8-aligned, within the slab");
        Debug.Assert(sealedAt < 0 || ScanPosition <= sealedAt, "the scan never passes the seal: records end there");
        Debug.Assert(!FullyScanned || ScanPosition == sealedAt, "a fully scanned slab was scanned up to its seal");
        Debug.Assert(Outstanding >= 0, "Outstanding counts handed-over records whose delivery report is not taken: never negative");
        Debug.Assert(Outstanding == 0 ? BytesInFlight == 0 : BytesInFlight >= (long)Outstanding * MessageRecord.Size, "BytesInFlight is the size of the records in flight");
    }

    /// <summary>Debug: a free slab is zeroed and reset, and a stale reservation cannot get space in it.</summary>
    [Conditional("DEBUG")]
    internal void AssertFree()
    {
        Debug.Assert(Volatile.Read(ref SealedLength) == -1 && ScanPosition == 0 && Outstanding == 0 && !FullyScanned && BytesInFlight == 0 && Next is null,
            "a free slab has every per-use field reset");
        Debug.Assert(Volatile.Read(ref Owner) is null || Volatile.Read(ref Tail) > Capacity, "a freed slab keeps Tail past Capacity until Activate");
        Debug.Assert(!new ReadOnlySpan<byte>(Start, Capacity).ContainsAnyExcept((byte)0), "a free slab is zeroed: State 0 must mean not written yet");
    }
}

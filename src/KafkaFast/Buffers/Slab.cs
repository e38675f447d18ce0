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
    }
}

using KafkaFast.Native;

namespace KafkaFast.Buffers;

/// <summary>
/// The producer's memory budget: one native mapping cut into equal slabs, a lock-free stack of free ones, and the
/// share charged for librdkafka's own copies of the messages handed to it.
/// </summary>
/// <remarks>
/// Budget accounting. <see cref="_used"/> counts every byte that may be resident on the producer's behalf:
/// <list type="bullet">
/// <item>warm slabs (in use, or free with pages still resident), <see cref="SlabSize"/> each;</item>
/// <item>librdkafka's share (<see cref="_librdkafka"/>): per message handed to librdkafka and not yet reported, what
/// librdkafka allocates for it (<see cref="MessageRecord.LibrdkafkaOverhead"/>). Messages waiting in the producer
/// (partition gates) are not charged for it.</item>
/// </list>
/// Invariant: <c>_used &lt;= Budget</c> at every moment (every increase is a compare-exchange against it), but for
/// <see cref="TryOverdrawFirst"/> (one message while librdkafka holds nothing, for budgets without a reserve). Cold
/// free slabs (pages handed back with madvise) cost nothing; a worker that needs room for librdkafka's share cools
/// warm free slabs. Request threads keep <see cref="_reserve"/> - share available for librdkafka: without that, flat-out
/// writers would fill the whole budget with waiting records and nothing could be handed over. The reserve adapts:
/// raised when a worker could not hand records over for lack of room, decayed toward the share in use.
/// </remarks>
internal sealed unsafe class SlabArena : IDisposable
{
    private readonly SafeNativeMemoryHandle _memory;
    private readonly Slab[] _slabs;
    private readonly TaggedIndexStack _free;
    private int _inUse;
    private long _used;
    private long _librdkafka;
    private long _reserve;
    private int _warmFree;

    /// <param name="budgetBytes">The budget (whole slabs are used).</param>
    /// <param name="slabSize">Bytes per slab.</param>
    /// <param name="clients">Writers that each need two slabs (one filling, one draining) whatever the reserve.</param>
    internal SlabArena(long budgetBytes, int slabSize, int clients = 1)
    {
        int count = checked((int)(budgetBytes / slabSize));
        _memory = new SafeNativeMemoryHandle((nuint)count * (nuint)slabSize);
        _slabs = new Slab[count];
        _free = new TaggedIndexStack(count);
        for (int i = count - 1; i >= 0; i--)
        {
            _slabs[i] = new Slab(i, _memory.Pointer + (long)i * slabSize, slabSize);
            _free.Push(i);
        }

        SlabSize = slabSize;
        Budget = (long)count * slabSize;
        long forRecords = 2L * clients * slabSize;
        MaximumReserve = Math.Max(0, Math.Min(Budget / 2, Budget - forRecords));
        // A quarter of the budget stays free for librdkafka's share however the reserve decays. With less, writers
        // that keep the budget full leave a gate only what the last delivery reports freed: against a 200 ms cluster
        // gated partitions then waited for room, idle, and 64 MiB moved 67-74k msgs/s instead of 195k (16 MiB: 85-94k
        // instead of 108-115k); with it, no hand-off starved (bench matrix 200/flat, 2026-11-30).
        MinimumReserve = Math.Min(Math.Max(slabSize, Budget / 4), MaximumReserve);
        ShareCap = slabSize;
        _reserve = MinimumReserve;
    }

    internal int SlabSize { get; }

    internal int SlabCount => _slabs.Length;

    /// <summary>The budget in bytes: whole slabs.</summary>
    internal long Budget { get; }

    /// <summary>Slabs holding records (not free).</summary>
    internal int SlabsInUse => Volatile.Read(ref _inUse);

    /// <summary>Bytes charged for librdkafka's copies of the messages handed to it.</summary>
    internal long LibrdkafkaBytes => Volatile.Read(ref _librdkafka);

    /// <summary>Bytes the producer's messages hold: slabs in use plus librdkafka's share.</summary>
    internal long BytesInUse => (long)SlabsInUse * SlabSize + LibrdkafkaBytes;

    /// <summary>Bytes counted against the budget: warm slabs (in use or free but resident) plus librdkafka's share.</summary>
    internal long BytesCounted => Volatile.Read(ref _used);

    /// <summary>The least room request threads leave for librdkafka's share: one slab, or less when the budget barely holds two slabs per client.</summary>
    internal long MinimumReserve { get; }

    /// <summary>The most one message is charged for librdkafka's share (one slab).</summary>
    internal long ShareCap { get; }

    internal long MaximumReserve { get; }

    /// <summary>The native block; clients keep it alive until their rd_kafka_t is destroyed.</summary>
    internal SafeNativeMemoryHandle Memory => _memory;

    internal Slab GetSlab(int index) => _slabs[index];

    /// <summary>Request thread: takes a free slab if the budget allows it while leaving librdkafka its reserve.</summary>
    internal bool TryRent(out Slab? slab)
    {
        slab = null;
        if (!_free.TryPop(out int index))
        {
            return false;
        }

        Slab candidate = _slabs[index];
        long keep = Math.Max(0, Volatile.Read(ref _reserve) - Volatile.Read(ref _librdkafka));
        if (candidate.Warm)
        {
            // Already counted; but once taken it can no longer be cooled to make room for librdkafka.
            int warmFreeAfter = Interlocked.Decrement(ref _warmFree);
            if (Budget - Volatile.Read(ref _used) + (long)warmFreeAfter * SlabSize < keep)
            {
                Interlocked.Increment(ref _warmFree);
                _free.Push(index);
                return false;
            }
        }
        else
        {
            while (true)
            {
                long used = Volatile.Read(ref _used);
                long after = used + SlabSize;
                if (after > Budget || Budget - after + (long)Volatile.Read(ref _warmFree) * SlabSize < keep)
                {
                    _free.Push(index);
                    return false;
                }

                if (Interlocked.CompareExchange(ref _used, after, used) == used)
                {
                    break;
                }
            }

            candidate.Warm = true; // its pages become resident as records are written
        }

        Interlocked.Increment(ref _inUse);
        slab = candidate;
        return true;
    }

    /// <summary>Worker: returns a slab that has been <see cref="Slab.Reset"/> (its pages stay resident: warm, still counted).</summary>
    internal void Return(Slab slab)
    {
        Interlocked.Decrement(ref _inUse);
        Interlocked.Increment(ref _warmFree);
        _free.Push(slab.Index);
    }

    /// <summary>Worker: charges <paramref name="bytes"/> of librdkafka's share, cooling warm free slabs if needed. False if the budget has no room.</summary>
    internal bool TryChargeLibrdkafka(long bytes)
    {
        while (true)
        {
            long used = Volatile.Read(ref _used);
            if (used + bytes <= Budget)
            {
                if (Interlocked.CompareExchange(ref _used, used + bytes, used) == used)
                {
                    Interlocked.Add(ref _librdkafka, bytes);
                    return true;
                }

                continue;
            }

            if (!TryCoolOne())
            {
                return false;
            }
        }
    }

    /// <summary>
    /// Worker: charges a share without room, when librdkafka holds nothing at all (so no delivery report will free
    /// any): the smallest budgets (two slabs per client, no reserve) would otherwise stall with every slab full of
    /// waiting records. Exceeds the budget by that one message's share until its report.
    /// </summary>
    internal bool TryOverdrawFirst(long bytes)
    {
        if (Interlocked.CompareExchange(ref _librdkafka, bytes, 0) != 0)
        {
            return false;
        }

        Interlocked.Add(ref _used, bytes);
        return true;
    }

    /// <summary>Worker: librdkafka released messages (delivery reports taken) worth <paramref name="bytes"/> of its share.</summary>
    internal void ReleaseLibrdkafka(long bytes)
    {
        Interlocked.Add(ref _librdkafka, -bytes);
        Interlocked.Add(ref _used, -bytes);
    }

    /// <summary>Worker: records could not be handed over for lack of room; keep at least the share in use plus <paramref name="shortfall"/> for librdkafka.</summary>
    internal void RaiseReserve(long shortfall)
    {
        long wanted = Math.Min(MaximumReserve, Volatile.Read(ref _librdkafka) + shortfall);
        long current;
        while ((current = Volatile.Read(ref _reserve)) < wanted && Interlocked.CompareExchange(ref _reserve, wanted, current) != current)
        {
        }
    }

    /// <summary>Worker, periodically: the reserve drifts back toward the share in use (an eighth of the gap each time).</summary>
    internal void DecayReserve()
    {
        long current = Volatile.Read(ref _reserve);
        long floor = Math.Max(MinimumReserve, Volatile.Read(ref _librdkafka));
        if (current > floor)
        {
            Interlocked.CompareExchange(ref _reserve, current - Math.Max(1, (current - floor) / 8), current);
        }
    }

    /// <summary>Hands the pages of one warm free slab back to the kernel. False if no free slab is warm.</summary>
    private bool TryCoolOne()
    {
        if (Volatile.Read(ref _warmFree) <= 0)
        {
            return false;
        }

        Span<int> cold = stackalloc int[16];
        int coldCount = 0;
        bool cooled = false;
        while (coldCount < cold.Length && _free.TryPop(out int index))
        {
            Slab slab = _slabs[index];
            if (!slab.Warm)
            {
                cold[coldCount++] = index;
                continue;
            }

            _memory.Discard((long)index * SlabSize, SlabSize);
            slab.Warm = false;
            Interlocked.Decrement(ref _warmFree);
            Interlocked.Add(ref _used, -SlabSize);
            _free.Push(index);
            cooled = true;
            break;
        }

        for (int i = coldCount - 1; i >= 0; i--)
        {
            _free.Push(cold[i]);
        }

        return cooled;
    }

    public void Dispose() => _memory.Dispose();
}

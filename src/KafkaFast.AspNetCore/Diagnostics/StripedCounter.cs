namespace KafkaFast.AspNetCore.Diagnostics;

/// <summary>
/// A count many request threads add to without sharing a cache line: one slot per stripe (chosen by managed thread
/// id), 64 bytes apart, summed when read (by an observable instrument, off the request path). An increment is an
/// uncontended interlocked add on a line that mostly stays in the calling core's cache.
/// </summary>
internal sealed class StripedCounter
{
    private const int SlotSpacing = 8; // longs: 64 bytes

    private readonly long[] _slots;
    private readonly int _mask;

    public StripedCounter()
    {
        int stripes = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(4, Environment.ProcessorCount * 2));
        _slots = new long[stripes * SlotSpacing];
        _mask = stripes - 1;
    }

    public void Increment() => Interlocked.Increment(ref _slots[(Environment.CurrentManagedThreadId & _mask) * SlotSpacing]);

    public long Sum()
    {
        long sum = 0;
        for (int i = 0; i < _slots.Length; i += SlotSpacing)
        {
            sum += Volatile.Read(ref _slots[i]);
        }

        return sum;
    }
}

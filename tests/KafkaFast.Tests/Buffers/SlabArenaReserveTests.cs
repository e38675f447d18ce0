using KafkaFast.Buffers;

namespace KafkaFast.Tests.Buffers;

/// <summary>
/// Writers that keep the budget full must leave librdkafka room for the share of a gated hand-off: without a floor
/// on the reserve, a slow cluster's partitions waited for room, idle (200 ms RTT, 64 MiB: 67-74k msgs/s instead of 195k).
/// </summary>
public class SlabArenaReserveTests
{
    [Theory]
    [InlineData(16)]
    [InlineData(64)]
    public void Writers_that_fill_the_budget_leave_a_quarter_of_it_for_librdkafka(int slabs)
    {
        const int SlabSize = 64 * 1024;
        using var arena = new SlabArena((long)slabs * SlabSize, SlabSize, clients: 2);
        Assert.True(arena.MinimumReserve >= arena.Budget / 4, $"reserve floor {arena.MinimumReserve} of a {arena.Budget}-byte budget");

        int rented = 0;
        while (arena.TryRent(out Slab? _))
        {
            rented++;
        }

        long free = arena.Budget - (long)rented * SlabSize;
        Assert.True(free >= arena.Budget / 4, $"writers rented {rented} of {slabs} slabs, leaving {free} bytes for librdkafka's share");

        // And that room is librdkafka's: a worker can charge it.
        Assert.True(arena.TryChargeLibrdkafka(arena.Budget / 4));
    }
}

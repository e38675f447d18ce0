using KafkaFast.Chaos.Group;

namespace KafkaFast.Chaos.Tests;

public class GroupLedgerTests
{
    [Fact]
    public void A_message_the_group_never_processed_is_missing_unless_the_brokers_dropped_it_first()
    {
        var ledger = new GroupLedger();
        var member = new GroupMember(ledger, "127.0.0.1:1", "g", "t"); // never started: only its number is used
        ledger.Record(member, [(0, 0L), (0, 1L), (0, 4L), (1, 0L)]);
        ledger.RecordDropped(0, 2, 3); // offset 2 was gone before the group asked
        (long missing, List<string> examples) = ledger.FindMissing([5, 1], [0, 0]);
        Assert.Equal(1, missing); // offset 3 of partition 0
        Assert.Equal("0@3", examples.Single());
        Assert.Equal(1, ledger.Dropped);
        Assert.False(ledger.HasReached([6, 1]));
        Assert.True(ledger.HasReached([5, 1]));
    }

    [Fact]
    public void A_re_read_after_a_clean_member_is_unexplained()
    {
        var ledger = new GroupLedger();
        var first = new GroupMember(ledger, "127.0.0.1:1", "g", "t");
        var second = new GroupMember(ledger, "127.0.0.1:1", "g", "t");
        ledger.Record(first, [(0, 0L), (0, 1L)]);
        ledger.Record(second, [(0, 1L), (0, 2L)]);
        Assert.Equal(1, ledger.UnexplainedRereads);
        Assert.Equal(0, ledger.ExplainedRereads);
        Assert.Single(ledger.Examples);
    }

    [Fact]
    public void The_offset_reset_librdkafka_logs_marks_the_dropped_range()
    {
        var ledger = new GroupLedger();
        var listener = new OffsetResetListener(ledger);
        Microsoft.Extensions.Logging.ILogger logger = listener.CreateLogger("x");
        string line = "[thrd:main]: chaos-1-40382 [3]: offset reset (at offset 425 (leader epoch 1), broker 2) to cached BEGINNING offset offset 561 (leader epoch -1): " +
                      "fetch failed due to requested offset not available on the broker: Broker: Offset out of range";
        logger.Log(Microsoft.Extensions.Logging.LogLevel.Warning, 0, line, null, (s, _) => s);
        Assert.Equal(561 - 425, ledger.Dropped);
        (long missing, _) = ledger.FindMissing([0, 0, 0, 561], [0, 0, 0, 425]);
        Assert.Equal(0, missing);
    }
}

using KafkaFast.Chaos.Checking;
using KafkaFast.Chaos.Messages;
using KafkaFast.Chaos.Producing;
using KafkaFast.Chaos.Reading;
using KafkaFast.Producer;

namespace KafkaFast.Chaos.Tests;

/// <summary>The checker must catch every way a run can go wrong: a checker that cannot fail proves nothing.</summary>
public class AccountingTests
{
    private static readonly Dictionary<ulong, OutcomeFiles.FailureRecord> NoFailures = [];

    [Fact]
    public void A_clean_read_of_every_accepted_message_is_all_delivered()
    {
        var ledger = new ReadLedger("r");
        for (long seq = 0; seq < 100; seq++)
        {
            ledger.Observe(0, seq, new MessageId(1, seq));
        }

        MessageTally tally = MessageAccounting.Tally(ledger, [0, 100], NoFailures, _ => StreamKind.Single);
        Assert.Equal(100, tally.Delivered);
        Assert.Equal(0, tally.Lost + tally.Duplicated + tally.NeverAccepted);
        Assert.Equal(0, ledger.OrderViolations + ledger.Skipped + ledger.Damaged);
    }

    [Fact]
    public void A_message_neither_read_nor_reported_failed_is_lost()
    {
        var ledger = new ReadLedger("r");
        ledger.Observe(0, 0, new MessageId(0, 0));
        ledger.Observe(0, 1, new MessageId(0, 2));
        MessageTally tally = MessageAccounting.Tally(ledger, [3], NoFailures, _ => StreamKind.Single);
        Assert.Equal(1, tally.Lost);
        Assert.Equal(1, tally.LostByKind["Single"]);
        Assert.Contains(tally.Examples, e => e.Contains("0:1", StringComparison.Ordinal));
    }

    [Fact]
    public void A_failed_message_is_accounted_unless_it_was_said_not_persisted_and_is_in_the_log()
    {
        var ledger = new ReadLedger("r");
        ledger.Observe(0, 0, new MessageId(0, 1));
        ledger.Observe(0, 1, new MessageId(0, 2));
        var failures = new Dictionary<ulong, OutcomeFiles.FailureRecord>
        {
            [new MessageId(0, 0).Packed] = new(new MessageId(0, 0).Packed, 0, (int)KafkaErrorCode.MessageTimedOut, (byte)PersistenceStatus.NotPersisted),
            [new MessageId(0, 1).Packed] = new(new MessageId(0, 1).Packed, 0, (int)KafkaErrorCode.MessageTimedOut, (byte)PersistenceStatus.PossiblyPersisted),
            [new MessageId(0, 2).Packed] = new(new MessageId(0, 2).Packed, 0, (int)KafkaErrorCode.MessageTimedOut, (byte)PersistenceStatus.NotPersisted),
        };
        MessageTally tally = MessageAccounting.Tally(ledger, [3], failures, _ => StreamKind.Single);
        Assert.Equal(1, tally.FailedAbsent);
        Assert.Equal(1, tally.FailedButPersisted);
        Assert.Equal(1, tally.FailedNotPersistedButPresent);
        Assert.Equal(0, tally.Lost);
    }

    [Fact]
    public void Counting_only_some_streams_leaves_the_others_out()
    {
        var ledger = new ReadLedger("r");
        ledger.Observe(0, 0, new MessageId(0, 0));
        MessageTally ours = MessageAccounting.Tally(ledger, [1, 5], NoFailures, _ => StreamKind.Single, stream => stream == 0);
        Assert.Equal(0, ours.Lost); // stream 1 (a Confluent peer, say) lost 5 but is not counted here
        Assert.Equal(1, ours.Delivered);
    }

    [Fact]
    public void A_message_the_producer_never_accepted_is_caught_in_the_log()
    {
        var ledger = new ReadLedger("r");
        ledger.Observe(0, 0, new MessageId(0, 0));
        ledger.Observe(0, 1, new MessageId(0, 1)); // the stream had only one accepted: sequence 1 was a refused call's
        Assert.Equal(1, MessageAccounting.Tally(ledger, [1], NoFailures, _ => StreamKind.Single).NeverAccepted);
    }

    [Fact]
    public void A_request_appended_twice_is_told_from_any_other_copy()
    {
        var ledger = new ReadLedger("r");
        for (long seq = 0; seq < 4; seq++)
        {
            ledger.Observe(2, seq, new MessageId(0, seq));
        }

        ledger.Observe(2, 4, new MessageId(0, 1)); // offsets 1..2 appended again at 4..5: a retried request
        ledger.Observe(2, 5, new MessageId(0, 2));
        ledger.Observe(3, 0, new MessageId(0, 3)); // a copy in another partition: nothing explains it
        Assert.Equal(2, ledger.Reappended);
        Assert.Equal(1, ledger.ReappendedRuns);
        Assert.Equal(1, ledger.OtherDuplicates);
        Assert.Equal(0, ledger.OrderViolations); // order is judged on first copies
        MessageTally tally = MessageAccounting.Tally(ledger, [4], NoFailures, _ => StreamKind.Single);
        Assert.Equal(3, tally.Duplicated);
        Assert.Equal(1, tally.UnexplainedDuplicates);
    }

    [Fact]
    public void Out_of_order_first_copies_and_skipped_offsets_are_caught()
    {
        var ledger = new ReadLedger("r");
        ledger.Observe(0, 0, new MessageId(0, 5));
        ledger.Observe(0, 1, new MessageId(0, 4)); // stream 0 went backwards within partition 0
        ledger.Observe(1, 3, new MessageId(0, 6)); // partition 1 starts at offset 3: 0..2 were gone before they were read
        Assert.Equal(1, ledger.OrderViolations);
        Assert.Equal(3, ledger.Skipped);
        Assert.Equal(4, ledger.NextOffset(1));
    }

    [Fact]
    public void A_reader_going_back_is_not_mistaken_for_a_second_copy()
    {
        var ledger = new ReadLedger("r");
        ledger.Observe(0, 0, new MessageId(0, 0));
        ledger.Observe(0, 1, new MessageId(0, 1));
        ledger.Observe(0, 1, new MessageId(0, 1));
        Assert.Equal(1, ledger.Rewinds);
        Assert.Equal(0, MessageAccounting.Tally(ledger, [2], NoFailures, _ => StreamKind.Single).Duplicated);
    }

    [Fact]
    public void Placements_are_kept_for_the_awaited_calls_check()
    {
        var ledger = new ReadLedger("r");
        ledger.Observe(7, 41, new MessageId(2, 3));
        Assert.Equal((7, 41L), ledger.PlacementOf(new MessageId(2, 3)));
        Assert.Null(ledger.PlacementOf(new MessageId(2, 4)));
    }
}

using System.Diagnostics;
using KafkaFast.Buffers;

namespace KafkaFast.Producer.Engine;

/// <summary>
/// The worker's crash path: whatever throws inside the loop, the client stops accepting (request threads get false,
/// counted as <see cref="ProduceRejectReason.Fatal"/>, never an exception), everything it holds ends as a failure
/// report with the crash as its reason (or as a delivery, when librdkafka delivered it first), and its slabs and
/// librdkafka's share go back to the budget. The other clients of the producer keep delivering what they accepted.
/// </summary>
internal sealed unsafe partial class ProducerClient
{
    /// <summary>How long the last sweep waits for a request thread still writing a record it reserved before the seal.</summary>
    private const int WriterGraceMs = 10_000;

    /// <summary>Set once, by the worker, when it crashed: the reason every record it still holds fails with.</summary>
    private volatile string? _crashReason;

    /// <summary>Worker-only: librdkafka's share charged for the records librdkafka holds (charged less refunded).</summary>
    private long _shareHeld;

    /// <summary>Whether this client's worker crashed: its slabs are closed to request threads (they get false, not an exception).</summary>
    internal bool HasCrashed => _crashReason is not null;

    /// <summary>
    /// Worker thread, after the loop threw: records the reason, makes the producer fatal, closes the client to
    /// request threads, then fails what it can the orderly way (purge librdkafka, fail the gates, scan the rest).
    /// What is left after that (a report lost with the event that was being taken, a record a slow request thread
    /// committed late) is failed by <see cref="FailUnreported"/> once librdkafka is destroyed.
    /// </summary>
    private void Crashed(Exception exception)
    {
        _crashReason = $"producer worker {Index} crashed: {exception.GetType().Name}: {exception.Message}";
        _engine.OnWorkerCrashed(this, exception); // fatal first: request threads check it before they reserve
        Volatile.Write(ref _sleeping, 0);
        SealForClose();                           // then no reservation anywhere in this client
        try
        {
            PurgeRemaining(_crashReason);
        }
        catch (Exception inner)
        {
            _engine.OnWorkerCrashed(this, inner); // logged; what is left is failed after rd_kafka_destroy
        }
    }

    /// <summary>
    /// After rd_kafka_destroy (librdkafka holds nothing any more), on the worker thread: every record still held in
    /// this client's slabs without a report is failed with a reason, then every slab goes back to the arena and
    /// librdkafka's share to the budget. After an orderly close this finds nothing to fail.
    /// </summary>
    private void FailUnreported()
    {
        string reason = _crashReason ?? "librdkafka was destroyed before this message's delivery report";
        var held = new List<Slab>(_liveSlabs);
        for (Slab? slab = _scanSlab is null ? Volatile.Read(ref _chainHead) : Volatile.Read(ref _scanSlab.Next); slab is not null; slab = Volatile.Read(ref slab.Next))
        {
            held.Add(slab);
        }

        long failed = 0;
        foreach (Slab slab in held)
        {
            if (FailUnreportedIn(slab, reason, ref failed))
            {
                slab.Reset();
                _arena.Return(slab);
            }
        }

        _liveSlabs.Clear();
        _scanSlab = null;
        DispatchCompletions();
        if (_shareHeld + _credit > 0)
        {
            _arena.ReleaseLibrdkafka(_shareHeld + _credit);
        }

        _shareHeld = 0;
        _credit = 0;
        if (failed > 0)
        {
            _engine.OnMessagesLostAtShutdown(this, failed);
        }

        _engine.OnBudgetFreed();
        _engine.OnClientDrained();
    }

    /// <summary>Fails the unreported records of one slab, up to its seal. False if a request thread never finished its record (the slab cannot be reused).</summary>
    private bool FailUnreportedIn(Slab slab, string reason, ref long failed)
    {
        long sealedAt = Volatile.Read(ref slab.SealedLength);
        if (sealedAt < 0)
        {
            // Never sealed: cannot happen after SealForClose (every slab of the chain is sealed by then). Keep it out of the arena.
            Debug.Fail("a held slab is sealed once the client is closed");
            return false;
        }

        long position = 0;
        while (position < sealedAt)
        {
            MessageRecord* record = slab.RecordAt(position);
            int state = Volatile.Read(ref record->State);
            if (state == MessageRecord.StateEmpty && !WaitForWriter(record, out state))
            {
                return false; // a request thread still writes here: never hand this memory to anyone else
            }

            if (state == MessageRecord.StateCommitted)
            {
                // Scanned records may have reached the broker before librdkafka was destroyed; the others never left.
                PersistenceStatus status = position < slab.ScanPosition ? PersistenceStatus.PossiblyPersisted : PersistenceStatus.NotPersisted;
                Volatile.Write(ref _failed.Value, _failed.Value + 1);
                _engine.CompleteFailed(record->CompletionId != 0 ? Completions() : s_noAwaiters, record, KafkaErrorCode.Fatal, reason, status, record->Partition);
                record->State = MessageRecord.StateReported;
                failed++;
            }

            position += record->TotalSize;
        }

        return true;
    }

    /// <summary>A record reserved before the seal is being written: waits (bounded) until it is committed or skipped.</summary>
    private static bool WaitForWriter(MessageRecord* record, out int state)
    {
        long until = Environment.TickCount64 + WriterGraceMs;
        while ((state = Volatile.Read(ref record->State)) == MessageRecord.StateEmpty)
        {
            if (Environment.TickCount64 > until)
            {
                return false;
            }

            Thread.Sleep(1);
        }

        return true;
    }
}

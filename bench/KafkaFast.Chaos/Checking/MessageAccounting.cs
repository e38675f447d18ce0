using KafkaFast.Chaos.Messages;
using KafkaFast.Chaos.Producing;
using KafkaFast.Chaos.Reading;
using KafkaFast.Producer;

namespace KafkaFast.Chaos.Checking;

/// <summary>
/// Walks every accepted message of every stream (sequences [0, accepted)) against one reader's ledger and the
/// failure reports: delivered exactly once, or failed with a reason (and then absent, unless possibly persisted).
/// </summary>
internal static class MessageAccounting
{
    internal static MessageTally Tally(ReadLedger ledger, IReadOnlyList<long> acceptedPerStream, IReadOnlyDictionary<ulong, OutcomeFiles.FailureRecord> failures,
        Func<int, StreamKind> kindOf, Func<int, bool>? includeStream = null)
    {
        var lostByKind = new Dictionary<string, long>();
        long once = 0, lost = 0, duplicated = 0, failedAbsent = 0, failedPersisted = 0, failedButPresent = 0, neverAccepted = 0;
        var examples = new List<string>();
        void Example(string text)
        {
            if (examples.Count < 10)
            {
                examples.Add($"{ledger.Name}: {text}");
            }
        }

        for (int stream = 0; stream < MessageId.MaxStreams; stream++)
        {
            if (includeStream is not null && !includeStream(stream))
            {
                continue;
            }

            long accepted = stream < acceptedPerStream.Count ? acceptedPerStream[stream] : 0;
            for (long seq = 0; seq < accepted; seq++)
            {
                var id = new MessageId(stream, seq);
                int count = ledger.CountOf(id);
                if (count > 1)
                {
                    duplicated++;
                }

                if (failures.TryGetValue(id.Packed, out OutcomeFiles.FailureRecord failure))
                {
                    if (count == 0)
                    {
                        failedAbsent++;
                    }
                    else if ((PersistenceStatus)failure.Status == PersistenceStatus.NotPersisted)
                    {
                        failedButPresent++;
                        Example($"message {id} reported failed ({(KafkaErrorCode)failure.Error}, not persisted) but is in the log");
                    }
                    else
                    {
                        failedPersisted++;
                    }
                }
                else if (count == 0)
                {
                    lost++;
                    string kind = kindOf(stream).ToString();
                    lostByKind[kind] = lostByKind.GetValueOrDefault(kind) + 1;
                    Example($"message {id} accepted, never reported failed, not in the log");
                }
                else
                {
                    once++;
                }
            }

            for (long seq = accepted; seq < ledger.SequenceLimit(stream); seq++)
            {
                if (ledger.CountOf(new MessageId(stream, seq)) > 0)
                {
                    neverAccepted++;
                    Example($"message {stream}:{seq} is in the log but stream {stream} had {accepted} accepted");
                }
            }
        }

        return new MessageTally
        {
            Reader = ledger.Name,
            Delivered = once,
            Lost = lost,
            Duplicated = duplicated,
            UnexplainedDuplicates = ledger.OtherDuplicates,
            ReappendedRuns = ledger.ReappendedRuns,
            FailedAbsent = failedAbsent,
            FailedButPersisted = failedPersisted,
            FailedNotPersistedButPresent = failedButPresent,
            NeverAccepted = neverAccepted,
            Examples = examples,
            LostByKind = lostByKind,
        };
    }
}

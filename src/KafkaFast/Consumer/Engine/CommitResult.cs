using KafkaFast.Native;

namespace KafkaFast.Consumer.Engine;

/// <summary>The outcome of one commit, filled by its commit callback (or by the commit call when librdkafka refused at once).</summary>
internal sealed class CommitResult(string groupName) : ICommitResultSink
{
    private IReadOnlyList<TopicPartitionOffset> _committed = [];

    internal bool IsCompleted { get; private set; }

    internal KafkaException? Error { get; private set; }

    /// <summary>Copies the result out of librdkafka's (borrowed) list. __NO_OFFSET (nothing new stored) is success with nothing committed.</summary>
    public void Complete(int err, SafeTopicPartitionListHandle? offsets)
    {
        IsCompleted = true;
        if (err == LibRdKafka.ErrNoOffset)
        {
            return;
        }

        TopicPartitionOffset[] all = offsets is null ? [] : TopicPartitionLists.ToOffsets(offsets);
        var committed = new List<TopicPartitionOffset>(all.Length);
        PartitionFailures failures = default;
        for (int i = 0; i < all.Length; i++)
        {
            int elementErr = offsets![i].Err;
            if (elementErr == 0)
            {
                if (all[i].Offset >= 0)
                {
                    committed.Add(all[i]); // partitions with nothing stored are listed with offset -1001
                }
            }
            else
            {
                failures.Add(elementErr, $"{all[i]}: {LibRdKafka.ErrorText(elementErr)}");
            }
        }

        _committed = committed;
        if (err != 0)
        {
            Error = new KafkaException((KafkaErrorCode)err,
                $"Commit for group '{groupName}' failed: {LibRdKafka.ErrorText(err)}{(failures.Count > 0 ? $" ({failures.Text})" : string.Empty)}{Hint(err)}");
        }
        else if (failures.Count > 0)
        {
            Error = new KafkaException((KafkaErrorCode)failures.FirstCode,
                $"Commit for group '{groupName}' failed for {failures.Count} of {all.Length} partition(s): {failures.Text}{Hint(failures.FirstCode)}");
        }
    }

    /// <summary>
    /// What a commit refused because of the group's state means, and what to do: retrying cannot help while the
    /// member has not rejoined, and retrying inside a revocation handler is what keeps it from rejoining.
    /// </summary>
    private static string Hint(int code) => (KafkaErrorCode)code switch
    {
        KafkaErrorCode.RebalanceInProgress or KafkaErrorCode.IllegalGeneration or KafkaErrorCode.UnknownMemberId =>
            " The group is rebalancing, or has moved on without this member: the commit cannot land until the member rejoins. " +
            "In a PartitionsRevoked handler, return instead of retrying (a handler that waits keeps the member from rejoining): " +
            "the partitions' next owner reads from the last committed offset, so what was processed since is delivered again (at-least-once).",
        KafkaErrorCode.AssignmentLost =>
            " The partitions were lost (session timed out, fenced, or max poll interval exceeded): another member may own them; nothing can be committed for them.",
        _ => string.Empty,
    };

    internal IReadOnlyList<TopicPartitionOffset> GetResult() => Error is { } error ? throw error : _committed;
}

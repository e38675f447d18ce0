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
                $"Commit for group '{groupName}' failed: {LibRdKafka.ErrorText(err)}{(failures.Count > 0 ? $" ({failures.Text})" : string.Empty)}");
        }
        else if (failures.Count > 0)
        {
            Error = new KafkaException((KafkaErrorCode)failures.FirstCode,
                $"Commit for group '{groupName}' failed for {failures.Count} of {all.Length} partition(s): {failures.Text}");
        }
    }

    internal IReadOnlyList<TopicPartitionOffset> GetResult() => Error is { } error ? throw error : _committed;
}

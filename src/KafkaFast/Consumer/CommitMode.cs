namespace KafkaFast.Consumer;

/// <summary>Who commits consumed offsets to the group. Either way, delivery is at-least-once.</summary>
public enum CommitMode
{
    /// <summary>
    /// A batch's offsets are stored when the application asks for the next batch (it has processed the previous
    /// one) or calls <see cref="ConsumedBatch.StoreOffsets"/>; librdkafka commits stored offsets every
    /// <see cref="KafkaConsumerOptions.AutoCommitInterval"/>, when partitions are revoked, and on close.
    /// </summary>
    Auto = 0,

    /// <summary>
    /// Nothing is stored or committed unless the application does it: <see cref="KafkaConsumer.Commit(ConsumedBatch)"/>,
    /// <see cref="KafkaConsumer.CommitAsync(ConsumedBatch)"/>, or <see cref="KafkaConsumer.StoreOffsets(ConsumedBatch)"/>
    /// and <see cref="KafkaConsumer.Commit()"/>. Close still commits what was stored.
    /// </summary>
    Manual = 1,
}

using KafkaFast.Native;

namespace KafkaFast.Producer.Engine;

/// <summary>
/// Worker-only: messages for one topic-partition collected during a scan, handed to librdkafka with one
/// rd_kafka_produce_batch call (fixed partition: librdkafka's cheapest path, and no partitioner per message).
/// </summary>
internal sealed unsafe class PartitionBatch
{
    internal const int MaxCount = 4096;

    internal PartitionBatch(TopicState topic, int partition)
    {
        Topic = topic;
        Partition = partition;
    }

    internal TopicState Topic { get; }

    internal int Partition { get; }

    /// <summary>Pinned so the array can be passed to librdkafka without a fixed statement per call.</summary>
    internal RdKafkaMessage[] Items { get; private set; } = GC.AllocateArray<RdKafkaMessage>(64, pinned: true);

    internal int Count;

    /// <summary>Whether it is in the worker's list of batches to flush.</summary>
    internal bool Listed;

    internal bool IsFull => Count == MaxCount;

    internal void Add(byte* key, int keyLength, byte* value, int valueLength, void* record)
    {
        if (Count == Items.Length)
        {
            var grown = GC.AllocateArray<RdKafkaMessage>(Items.Length * 2, pinned: true);
            Items.AsSpan(0, Count).CopyTo(grown);
            Items = grown;
        }

        ref RdKafkaMessage m = ref Items[Count++];
        m = default;
        m.Payload = value;
        m.Length = (nuint)valueLength;
        m.Key = keyLength > 0 ? key : null;
        m.KeyLength = (nuint)keyLength;
        m.Private = record;
    }
}

using System.Text;
using KafkaFast.Native;

namespace KafkaFast.Consumer.Engine;

/// <summary>Per-partition failures gathered into one exception (allocates only when something failed).</summary>
internal struct PartitionFailures
{
    private StringBuilder? _text;

    internal int Count { get; private set; }

    internal int FirstCode { get; private set; }

    internal readonly string Text => _text?.ToString() ?? string.Empty;

    internal void Add(int code, string detail)
    {
        if (Count == 0)
        {
            FirstCode = code;
            _text = new StringBuilder(detail);
        }
        else
        {
            _text!.Append("; ").Append(detail);
        }

        Count++;
    }

    internal readonly void ThrowIfAny(string what)
    {
        if (Count > 0)
        {
            throw new KafkaException((KafkaErrorCode)FirstCode, $"Could not {what} for {Count} partition(s): {Text}");
        }
    }

    /// <summary>Throws naming every element of <paramref name="list"/> that librdkafka marked with an error.</summary>
    internal static void ThrowOnElementErrors(SafeTopicPartitionListHandle list, string what)
    {
        PartitionFailures failures = default;
        for (int i = 0; i < list.Count; i++)
        {
            int err = list[i].Err;
            if (err != 0)
            {
                failures.Add(err, $"{list.TopicAt(i)} [{list[i].Partition}]: {LibRdKafka.ErrorText(err)}");
            }
        }

        failures.ThrowIfAny(what);
    }
}

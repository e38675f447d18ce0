using KafkaFast.Native;

namespace KafkaFast.Consumer.Engine;

/// <summary>
/// Topic name strings per rd_kafka_topic_t pointer, so a consumed message's topic costs no allocation. A pointer
/// can be reused for another topic after librdkafka frees a topic object, so an entry is checked against the
/// topic's current C string (a byte comparison) each time it is looked up; batches look up each distinct topic
/// once per fill. Thread-safe (lookups happen when batches are filled, and from views of other threads).
/// </summary>
internal sealed class TopicNameCache
{
    private const int MaxEntries = 1024;

    private readonly Lock _lock = new();
    private Entry[] _entries = new Entry[8];
    private int _count;
    private int _nextEviction;

    /// <summary>The name of <paramref name="rkt"/>, which must be referenced by a live message (so its name is valid).</summary>
    internal string Get(nint rkt)
    {
        ReadOnlySpan<byte> current = RdKafkaMessageFields.TopicName(rkt);
        lock (_lock)
        {
            for (int i = 0; i < _count; i++)
            {
                ref Entry entry = ref _entries[i];
                if (entry.Handle == rkt)
                {
                    if (!current.SequenceEqual(entry.Utf8))
                    {
                        entry = new Entry(rkt, current); // the pointer now names another topic
                    }

                    return entry.Name;
                }
            }

            if (_count == _entries.Length && _count < MaxEntries)
            {
                Array.Resize(ref _entries, _count * 2);
            }

            if (_count < _entries.Length)
            {
                _entries[_count] = new Entry(rkt, current);
                return _entries[_count++].Name;
            }

            int victim = _nextEviction;
            _nextEviction = (_nextEviction + 1) % _entries.Length;
            _entries[victim] = new Entry(rkt, current);
            return _entries[victim].Name;
        }
    }

    private readonly struct Entry
    {
        internal Entry(nint handle, ReadOnlySpan<byte> utf8)
        {
            Handle = handle;
            Utf8 = utf8.ToArray();
            Name = System.Text.Encoding.UTF8.GetString(utf8);
        }

        internal nint Handle { get; }

        internal byte[] Utf8 { get; }

        internal string Name { get; }
    }
}

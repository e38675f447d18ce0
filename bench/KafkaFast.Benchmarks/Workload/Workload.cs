using System.Buffers;
using System.Text;
using System.Text.Json;
using KafkaFast.Producer;

namespace KafkaFast.Benchmarks.Workload;

/// <summary>
/// The messages every scenario sends, built once per value size: 16-byte keys (1024 distinct, in a fixed random
/// order), values of exactly <see cref="ValueSize"/> random bytes (64 distinct), and the same messages as
/// <see cref="ProducerMessage"/>s and byte arrays for the APIs that take those. Message slot j (0..<see cref="Slots"/>)
/// has the same key and value whichever API sends it; drivers walk the slots in order and wrap.
/// </summary>
internal sealed class MessageSet
{
    internal const int KeyCount = 1024;
    internal const int KeyLength = 16;
    internal const int ValueVariants = 64;

    /// <summary>Slots before the sequence repeats: a multiple of every batch size used (100).</summary>
    internal const int Slots = 64_000;

    private readonly byte[] _keys = new byte[KeyCount * KeyLength];
    private readonly byte[] _values;
    private readonly int[] _keyOfSlot = new int[Slots];
    private readonly byte[][] _keyArrays = new byte[KeyCount][];
    private readonly byte[][] _valueArrays = new byte[ValueVariants][];

    internal MessageSet(int valueSize, int seed = 42)
    {
        ValueSize = valueSize;
        var random = new Random(seed);
        for (int k = 0; k < KeyCount; k++)
        {
            Encoding.ASCII.GetBytes($"key-{k:D12}", _keys.AsSpan(k * KeyLength, KeyLength));
            _keyArrays[k] = _keys.AsSpan(k * KeyLength, KeyLength).ToArray();
        }

        _values = new byte[ValueVariants * valueSize];
        random.NextBytes(_values);
        for (int v = 0; v < ValueVariants; v++)
        {
            _valueArrays[v] = _values.AsSpan(v * valueSize, valueSize).ToArray();
        }

        for (int j = 0; j < Slots; j++)
        {
            _keyOfSlot[j] = random.Next(KeyCount);
        }

        Messages = new ProducerMessage[Slots];
        for (int j = 0; j < Slots; j++)
        {
            int k = _keyOfSlot[j];
            int v = j % ValueVariants;
            Messages[j] = new ProducerMessage(_keys.AsMemory(k * KeyLength, KeyLength), _values.AsMemory(v * valueSize, valueSize));
        }

        Json = new JsonEvents(valueSize);
    }

    internal int ValueSize { get; }

    /// <summary>Slot j as a <see cref="ProducerMessage"/> (KafkaFast batch and awaitable calls).</summary>
    internal ProducerMessage[] Messages { get; }

    internal JsonEvents Json { get; }

    internal ReadOnlySpan<byte> Key(int slot) => _keys.AsSpan(_keyOfSlot[slot] * KeyLength, KeyLength);

    internal ReadOnlySpan<byte> Value(int slot) => _values.AsSpan(slot % ValueVariants * ValueSize, ValueSize);

    /// <summary>Slot j's key as a shared array (Confluent.Kafka takes byte[]; it copies during Produce).</summary>
    internal byte[] KeyArray(int slot) => _keyArrays[_keyOfSlot[slot]];

    /// <summary>Slot j's value as a shared array.</summary>
    internal byte[] ValueArray(int slot) => _valueArrays[slot % ValueVariants];

    internal int KeyIndex(int slot) => _keyOfSlot[slot];
}

/// <summary>
/// The serialize-in-place scenario's event: a small JSON object written field by field with Utf8JsonWriter,
/// padded with a constant string so that the value is <see cref="TargetSize"/> bytes (give or take the digits of the id).
/// </summary>
internal sealed class JsonEvents
{
    private static readonly JsonEncodedText IdName = JsonEncodedText.Encode("id");
    private static readonly JsonEncodedText UserName = JsonEncodedText.Encode("user");
    private static readonly JsonEncodedText TypeName = JsonEncodedText.Encode("type");
    private static readonly JsonEncodedText TsName = JsonEncodedText.Encode("ts");
    private static readonly JsonEncodedText AmountName = JsonEncodedText.Encode("amount");
    private static readonly JsonEncodedText PadName = JsonEncodedText.Encode("pad");
    private static readonly JsonEncodedText PageView = JsonEncodedText.Encode("page_view");
    private static readonly JsonEncodedText[] Users = Enumerable.Range(0, MessageSet.KeyCount).Select(u => JsonEncodedText.Encode($"user-{u:D4}")).ToArray();

    private readonly JsonEncodedText _pad;

    internal JsonEvents(int targetSize)
    {
        TargetSize = targetSize;
        _pad = JsonEncodedText.Encode(string.Empty);
        int unpadded = Measure(new Event(this, 1_000_000, 1, 1_732_000_000_000, 1234));
        _pad = JsonEncodedText.Encode(new string('x', Math.Max(0, targetSize - unpadded)));
        SampleSize = Measure(new Event(this, 1_000_000, 1, 1_732_000_000_000, 1234));
    }

    internal int TargetSize { get; }

    /// <summary>Size of a typical event (7-digit id), in bytes.</summary>
    internal int SampleSize { get; }

    /// <summary>The per-message state handed to the serializer (a struct: no allocation).</summary>
    internal readonly record struct Event(JsonEvents Shape, long Id, int User, long Timestamp, long AmountCents);

    /// <summary>Writes one event; a static method, so the delegate is cached and calls allocate nothing.</summary>
    internal static void Write(Utf8JsonWriter writer, Event e)
    {
        writer.WriteStartObject();
        writer.WriteNumber(IdName, e.Id);
        writer.WriteString(UserName, Users[e.User]);
        writer.WriteString(TypeName, PageView);
        writer.WriteNumber(TsName, e.Timestamp);
        writer.WriteNumber(AmountName, e.AmountCents);
        writer.WriteString(PadName, e.Shape._pad);
        writer.WriteEndObject();
    }

    private static int Measure(Event e)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using var writer = new Utf8JsonWriter(buffer);
        Write(writer, e);
        writer.Flush();
        return buffer.WrittenCount;
    }
}

using System.Text;
using KafkaFast.Native;

namespace KafkaFast.Consumer;

/// <summary>One header of a consumed message: name and value in librdkafka's memory (valid as long as the message view).</summary>
public readonly ref struct ConsumedHeader
{
    /// <summary>Address of the NUL-terminated name, owned by the message's parsed headers.</summary>
    private readonly nint _name;

    /// <summary>Address of the value (0 for a null value), <see cref="_size"/> bytes, owned by the message.</summary>
    private readonly nint _value;
    private readonly nuint _size;

    internal ConsumedHeader(nint name, nint value, nuint size)
    {
        _name = name;
        _value = value;
        _size = size;
    }

    /// <summary>The header name as UTF-8.</summary>
    public ReadOnlySpan<byte> NameUtf8 => _name == 0 ? default : RdKafkaMessageFields.NullTerminated(_name);

    /// <summary>The header name (allocates a string; compare <see cref="NameUtf8"/> to avoid that).</summary>
    public string Name => Encoding.UTF8.GetString(NameUtf8);

    /// <summary>The value (empty when null: see <see cref="IsValueNull"/>).</summary>
    public ReadOnlySpan<byte> Value => RdKafkaMessageFields.Bytes(_value, _size);

    /// <summary>True when the header has a null value.</summary>
    public bool IsValueNull => _value == 0;
}

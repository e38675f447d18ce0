using System.Runtime.InteropServices;
using System.Text;

namespace KafkaFast.Consumer;

/// <summary>One header of a consumed message: name and value in librdkafka's memory.</summary>
public readonly unsafe ref struct ConsumedHeader
{
    private readonly byte* _name;
    private readonly byte* _value;
    private readonly nuint _size;

    internal ConsumedHeader(byte* name, byte* value, nuint size)
    {
        _name = name;
        _value = value;
        _size = size;
    }

    /// <summary>The header name as UTF-8.</summary>
    public ReadOnlySpan<byte> NameUtf8 => MemoryMarshal.CreateReadOnlySpanFromNullTerminated(_name);

    /// <summary>The header name (allocates a string; compare <see cref="NameUtf8"/> to avoid that).</summary>
    public string Name => Encoding.UTF8.GetString(NameUtf8);

    /// <summary>The value (empty when null: see <see cref="IsValueNull"/>).</summary>
    public ReadOnlySpan<byte> Value => _value == null ? default : new ReadOnlySpan<byte>(_value, checked((int)_size));

    /// <summary>True when the header has a null value.</summary>
    public bool IsValueNull => _value == null;
}

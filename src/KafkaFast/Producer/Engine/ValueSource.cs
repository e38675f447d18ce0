using System.Text;

namespace KafkaFast.Producer.Engine;

/// <summary>A value given as bytes, or as text to encode as UTF-8 straight into the slab.</summary>
internal readonly ref struct ValueSource
{
    private readonly ReadOnlySpan<byte> _bytes;
    private readonly ReadOnlySpan<char> _chars;
    private readonly bool _isText;

    internal ValueSource(ReadOnlySpan<byte> bytes) => _bytes = bytes;

    internal ValueSource(ReadOnlySpan<char> chars)
    {
        _chars = chars;
        _isText = true;
    }

    internal int ByteCount => _isText ? Encoding.UTF8.GetByteCount(_chars) : _bytes.Length;

    internal void CopyTo(Span<byte> destination)
    {
        if (_isText)
        {
            Encoding.UTF8.GetBytes(_chars, destination);
        }
        else
        {
            _bytes.CopyTo(destination);
        }
    }
}

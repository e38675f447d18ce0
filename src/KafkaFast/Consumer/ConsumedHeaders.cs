using System.Text;
using KafkaFast.Native;

namespace KafkaFast.Consumer;

/// <summary>
/// The headers of a <see cref="ConsumedMessage"/>, read in place (librdkafka parses them on first access).
/// Valid as long as the message view is; enumerate with foreach (no allocation).
/// </summary>
public readonly struct ConsumedHeaders
{
    private readonly ConsumedMessage _message;

    internal ConsumedHeaders(ConsumedMessage message) => _message = message;

    /// <summary>The number of headers.</summary>
    public int Count => RdKafkaMessageFields.HeaderCount(Native);

    /// <summary>The header at <paramref name="index"/> (in the order they were produced).</summary>
    public ConsumedHeader this[int index]
    {
        get
        {
            if (!RdKafkaMessageFields.TryGetHeader(Native, index, out nint name, out nint value, out nuint size))
            {
                throw new ArgumentOutOfRangeException(nameof(index), index, $"The message has {Count} headers.");
            }

            return new ConsumedHeader(name, value, size);
        }
    }

    /// <summary>The value of the last header called <paramref name="nameUtf8"/>; false when there is none.</summary>
    public bool TryGetLastValue(scoped ReadOnlySpan<byte> nameUtf8, out ReadOnlySpan<byte> value)
    {
        value = default;
        nint headers = Native;
        if (headers == 0 || nameUtf8.Length > 4096)
        {
            return false;
        }

        Span<byte> nameZ = stackalloc byte[nameUtf8.Length + 1];
        nameUtf8.CopyTo(nameZ);
        nameZ[^1] = 0;
        return RdKafkaMessageFields.TryGetLastHeader(headers, nameZ, out value);
    }

    /// <summary>The value of the last header called <paramref name="name"/>; false when there is none.</summary>
    public bool TryGetLastValue(string name, out ReadOnlySpan<byte> value)
    {
        ArgumentNullException.ThrowIfNull(name);
        int max = Encoding.UTF8.GetMaxByteCount(name.Length);
        if (max > 4096)
        {
            value = default;
            return false;
        }

        Span<byte> utf8 = stackalloc byte[max];
        int written = Encoding.UTF8.GetBytes(name, utf8);
        return TryGetLastValue(utf8[..written], out value);
    }

    /// <summary>Enumerates the headers without allocating.</summary>
    public Enumerator GetEnumerator() => new(this);

    /// <summary>The parsed header list (owned by the message), or 0 when the message has none. Checks the view first.</summary>
    private nint Native => RdKafkaMessageFields.Headers(_message.Native);

    /// <summary>Enumerates headers in order.</summary>
    public ref struct Enumerator
    {
        private readonly ConsumedMessage _message;
        private readonly nint _headers;
        private int _index;
        private ConsumedHeader _current;

        internal Enumerator(ConsumedHeaders headers)
        {
            _message = headers._message;
            _headers = headers.Native;
            _index = -1;
            _current = default;
        }

        /// <summary>The current header.</summary>
        public readonly ConsumedHeader Current => _current;

        /// <summary>Moves to the next header.</summary>
        public bool MoveNext()
        {
            if (_headers == 0)
            {
                return false;
            }

            _ = _message.Native; // throws if the batch was disposed meanwhile
            if (!RdKafkaMessageFields.TryGetHeader(_headers, _index + 1, out nint name, out nint value, out nuint size))
            {
                return false;
            }

            _index++;
            _current = new ConsumedHeader(name, value, size);
            return true;
        }
    }
}

using System.Runtime.InteropServices;
using System.Text;
using KafkaFast.Native;

namespace KafkaFast.Consumer;

/// <summary>
/// The headers of a <see cref="ConsumedMessage"/>, read in place (librdkafka parses them on first access).
/// Valid as long as the message view is; enumerate with foreach (no allocation).
/// </summary>
public readonly unsafe struct ConsumedHeaders
{
    private readonly ConsumedMessage _message;

    internal ConsumedHeaders(ConsumedMessage message) => _message = message;

    /// <summary>The number of headers.</summary>
    public int Count
    {
        get
        {
            nint headers = Native;
            return headers == 0 ? 0 : (int)LibRdKafka.HeaderCount(headers);
        }
    }

    /// <summary>The header at <paramref name="index"/> (in the order they were produced).</summary>
    public ConsumedHeader this[int index]
    {
        get
        {
            nint headers = Native;
            byte* name;
            byte* value;
            nuint size;
            if (index < 0 || headers == 0 || LibRdKafka.HeaderGetAll(headers, (nuint)index, &name, &value, &size) != 0)
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

        Span<byte> name = stackalloc byte[nameUtf8.Length + 1];
        nameUtf8.CopyTo(name);
        name[^1] = 0;
        byte* found;
        nuint size;
        fixed (byte* n = name)
        {
            if (LibRdKafka.HeaderGetLast(headers, n, &found, &size) != 0)
            {
                return false;
            }
        }

        value = found == null ? default : new ReadOnlySpan<byte>(found, checked((int)size));
        return true;
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

    /// <summary>The parsed header list (owned by the message), or 0 when the message has none.</summary>
    private nint Native
    {
        get
        {
            nint headers;
            int err = LibRdKafka.MessageHeaders(_message.Native, &headers);
            return err == 0 ? headers : 0;
        }
    }

    /// <summary>Enumerates headers in order.</summary>
    public ref struct Enumerator
    {
        private readonly ConsumedMessage _message;
        private readonly nint _headers;
        private int _index;
        private byte* _name;
        private byte* _value;
        private nuint _size;

        internal Enumerator(ConsumedHeaders headers)
        {
            _message = headers._message;
            _headers = headers.Native;
            _index = -1;
            _name = null;
            _value = null;
            _size = 0;
        }

        /// <summary>The current header.</summary>
        public readonly ConsumedHeader Current => new(_name, _value, _size);

        /// <summary>Moves to the next header.</summary>
        public bool MoveNext()
        {
            if (_headers == 0)
            {
                return false;
            }

            _ = _message.Native; // throws if the batch was disposed meanwhile
            byte* name;
            byte* value;
            nuint size;
            if (LibRdKafka.HeaderGetAll(_headers, (nuint)(_index + 1), &name, &value, &size) != 0)
            {
                return false;
            }

            _index++;
            _name = name;
            _value = value;
            _size = size;
            return true;
        }
    }
}

using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;

namespace KafkaFast.Tool.Io;

/// <summary>
/// Splits an input stream into messages, byte for byte: at a delimiter (any bytes; "\n" by default, so "\r" stays in
/// the message), or by a 4-byte big-endian signed length before each message (-1: a null message), for binary
/// payloads such as Avro or Protobuf. In delimited mode empty messages are skipped, as kcat does (so a trailing
/// newline makes no empty message); the last message needs no delimiter after it.
/// </summary>
/// <remarks>
/// <see cref="Current"/> is valid until the next <see cref="ReadNextAsync"/>: the reader does not let go of the
/// pipe's memory before, and copies only messages that span two buffer segments.
/// </remarks>
internal sealed class MessageReader
{
    /// <summary>The largest length prefix accepted (Kafka's own message limits are far below).</summary>
    internal const int MaxLengthPrefixed = 1 << 30;

    private readonly PipeReader _pipe;
    private readonly byte[]? _delimiter;
    private readonly string _source;
    private ReadOnlySequence<byte> _buffer;
    private bool _haveBuffer;
    private bool _completed;
    private long _position;

    /// <summary>The current message: a slice of <see cref="_buffer"/>'s memory, or (spanning segments) copied into <see cref="_scratch"/>.</summary>
    private ReadOnlySequence<byte> _current;
    private bool _currentIsArray;
    private int _currentLength;
    private byte[] _scratch = [];

    /// <param name="input">The bytes to split.</param>
    /// <param name="delimiter">The delimiter, or null for length-prefixed messages.</param>
    /// <param name="source">Names the input in errors ("standard input", a file name).</param>
    internal MessageReader(Stream input, byte[]? delimiter, string source)
    {
        if (delimiter is { Length: 0 })
        {
            throw new ArgumentException("The delimiter must not be empty.", nameof(delimiter));
        }

        _pipe = PipeReader.Create(input, new StreamPipeReaderOptions(bufferSize: 64 * 1024, leaveOpen: true));
        _delimiter = delimiter;
        _source = source;
    }

    /// <summary>The current message (empty for a null one).</summary>
    internal ReadOnlySpan<byte> Current => _currentIsArray ? _scratch.AsSpan(0, _currentLength) : _current.FirstSpan;

    /// <summary>Whether the current message is null (length prefix -1).</summary>
    internal bool CurrentIsNull { get; private set; }

    /// <summary>Moves to the next message; false at the end of the input.</summary>
    /// <exception cref="UsageException">A length prefix is out of range, or the input ends inside a length-prefixed message.</exception>
    internal async ValueTask<bool> ReadNextAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (_haveBuffer && TryTake())
            {
                return true;
            }

            if (_completed)
            {
                if (_haveBuffer && !_buffer.IsEmpty)
                {
                    if (_delimiter is null)
                    {
                        throw new UsageException($"{_source} ends inside a length-prefixed message (at byte {_position}, {_buffer.Length} bytes left over)");
                    }

                    SetCurrent(_buffer); // the last message, without a delimiter after it
                    _position += _buffer.Length;
                    _buffer = _buffer.Slice(_buffer.End);
                    return true;
                }

                await _pipe.CompleteAsync().ConfigureAwait(false);
                return false;
            }

            if (_haveBuffer)
            {
                _pipe.AdvanceTo(_buffer.Start, _buffer.End); // everything seen, nothing more consumable: read more
            }

            ReadResult read = await _pipe.ReadAsync(cancellationToken).ConfigureAwait(false);
            _buffer = read.Buffer;
            _haveBuffer = true;
            _completed = read.IsCompleted;
        }
    }

    /// <summary>Takes the next whole message from the buffer, releasing the previous one; false if more input is needed.</summary>
    private bool TryTake()
    {
        while (true)
        {
            if (_delimiter is not null)
            {
                var reader = new SequenceReader<byte>(_buffer);
                if (!reader.TryReadTo(out ReadOnlySequence<byte> message, _delimiter, advancePastDelimiter: true))
                {
                    return _buffer.Length <= MaxLengthPrefixed
                        ? false
                        : throw new UsageException($"{_source}: no delimiter in {_buffer.Length} bytes after byte {_position}: is this binary input (--length-prefixed, or one file per message)?");
                }

                _position += reader.Consumed;
                _buffer = _buffer.Slice(reader.Position);
                if (message.IsEmpty)
                {
                    continue; // kcat skips empty messages
                }

                SetCurrent(message);
                return true;
            }

            if (_buffer.Length < 4)
            {
                return false;
            }

            Span<byte> prefix = stackalloc byte[4];
            _buffer.Slice(0, 4).CopyTo(prefix);
            int length = BinaryPrimitives.ReadInt32BigEndian(prefix);
            if (length < -1 || length > MaxLengthPrefixed)
            {
                throw new UsageException($"{_source}: bad length prefix {length} at byte {_position} (expected -1 for null, or 0..{MaxLengthPrefixed})");
            }

            long size = 4 + Math.Max(length, 0);
            if (_buffer.Length < size)
            {
                return false;
            }

            SetCurrent(_buffer.Slice(4, Math.Max(length, 0)));
            CurrentIsNull = length == -1;
            _position += size;
            _buffer = _buffer.Slice(size);
            return true;
        }
    }

    private void SetCurrent(ReadOnlySequence<byte> message)
    {
        CurrentIsNull = false;
        _current = message;
        _currentIsArray = !message.IsSingleSegment;
        if (_currentIsArray)
        {
            _currentLength = checked((int)message.Length);
            if (_scratch.Length < _currentLength)
            {
                _scratch = new byte[Math.Max(_currentLength, _scratch.Length * 2)];
            }

            message.CopyTo(_scratch);
        }
    }
}

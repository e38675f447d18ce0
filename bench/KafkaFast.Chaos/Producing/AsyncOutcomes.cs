using KafkaFast.Chaos.Messages;

namespace KafkaFast.Chaos.Producing;

/// <summary>Writes every awaited call's outcome to <see cref="OutcomeFiles.AsyncOutcomes"/> (thread-safe).</summary>
internal sealed class AsyncOutcomes(string path) : IDisposable
{
    private readonly BinaryWriter _writer = new(new BufferedStream(File.Create(path), 1 << 16));
    private readonly Lock _lock = new();

    internal long DeliveredCount { get; private set; }

    internal long FailedCount { get; private set; }

    internal void Delivered(MessageId id, int partition, long offset)
    {
        lock (_lock)
        {
            DeliveredCount++;
            new OutcomeFiles.AsyncRecord(id.Packed, partition, offset).Write(_writer);
        }
    }

    internal void Failed(MessageId id, KafkaErrorCode error)
    {
        lock (_lock)
        {
            FailedCount++;
            new OutcomeFiles.AsyncRecord(id.Packed, -1, (long)error).Write(_writer);
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _writer.Dispose();
        }
    }
}

namespace KafkaFast.Chaos.Producing;

/// <summary>
/// The producer process's per-message records, written as it runs (the checker in the parent reads them at the
/// end): failures from the producer's <c>Failures</c> channel, and the outcome of every awaited call. Fixed-size
/// little-endian records, so millions of them cost the producer process no memory.
/// </summary>
internal static class OutcomeFiles
{
    internal const string Failures = "failures.bin";
    internal const string AsyncOutcomes = "async-outcomes.bin";
    internal const string PeerFailures = "peer-failures.bin";

    /// <summary>A failure report: id, partition, error code, persistence status.</summary>
    internal readonly record struct FailureRecord(ulong Id, int Partition, int Error, byte Status)
    {
        internal const int Size = 17;

        internal void Write(BinaryWriter writer)
        {
            writer.Write(Id);
            writer.Write(Partition);
            writer.Write(Error);
            writer.Write(Status);
        }

        internal static FailureRecord Read(BinaryReader reader) => new(reader.ReadUInt64(), reader.ReadInt32(), reader.ReadInt32(), reader.ReadByte());
    }

    /// <summary>An awaited call's outcome: id, then partition and offset (delivered) or -1 and the error code (failed).</summary>
    internal readonly record struct AsyncRecord(ulong Id, int Partition, long OffsetOrError)
    {
        internal const int Size = 20;

        internal bool Delivered => Partition >= 0;

        internal void Write(BinaryWriter writer)
        {
            writer.Write(Id);
            writer.Write(Partition);
            writer.Write(OffsetOrError);
        }

        internal static AsyncRecord Read(BinaryReader reader) => new(reader.ReadUInt64(), reader.ReadInt32(), reader.ReadInt64());
    }

    internal static IEnumerable<T> ReadAll<T>(string path, int size, Func<BinaryReader, T> read)
    {
        if (!File.Exists(path))
        {
            yield break;
        }

        using var reader = new BinaryReader(new BufferedStream(File.OpenRead(path), 1 << 16));
        long count = reader.BaseStream.Length / size;
        for (long i = 0; i < count; i++)
        {
            yield return read(reader);
        }
    }
}

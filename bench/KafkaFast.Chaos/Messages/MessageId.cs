namespace KafkaFast.Chaos.Messages;

/// <summary>
/// A message's unique id: the producing stream (0..255) and its sequence number in that stream. A stream numbers
/// only the messages the producer accepted, 0, 1, 2, ... (a refused message's number is reused by the next one), so
/// "accepted" is exactly the range [0, accepted count) of each stream.
/// </summary>
internal readonly record struct MessageId(int Stream, long Sequence)
{
    private const int SequenceBits = 56;
    private const long SequenceMask = (1L << SequenceBits) - 1;

    internal const int MaxStreams = 256;

    internal ulong Packed => ((ulong)Stream << SequenceBits) | (ulong)Sequence;

    internal static MessageId Unpack(ulong packed) => new((int)(packed >> SequenceBits), (long)(packed & SequenceMask));

    public override string ToString() => $"{Stream}:{Sequence}";
}

using KafkaFast.Chaos.Messages;
using KafkaFast.Producer;

namespace KafkaFast.Chaos.Producing;

/// <summary>
/// <c>TryProduceBatch</c>: runs of up to 64 messages built into one arena. The producer accepts a prefix; the refused
/// rest is built again (same ids) on the next call, as a caller retrying its tail would.
/// </summary>
internal sealed class BatchStream(int index, StreamContext context) : ProducerStream(index, context)
{
    private const int MaxRun = 64;
    private readonly byte[] _arena = new byte[2 * MessageFactory.MaxValueLength + MaxRun * 512];
    private readonly ProducerMessage[] _messages = new ProducerMessage[MaxRun];
    private readonly KafkaHeader[][] _headers = Enumerable.Range(0, MaxRun).Select(_ => new KafkaHeader[3]).ToArray();
    private readonly MessageScratch _scratch = new();

    protected override int Offer(int budget)
    {
        int count = 0;
        int used = 0;
        while (count < Math.Min(budget, MaxRun))
        {
            _scratch.Build(Context.Factory, NextId(count));
            int size = _scratch.KeyLength + _scratch.ValueLength + (_scratch.HeaderCount * MessageFactory.MaxHeaderValueLength);
            if (count > 0 && used + size > _arena.Length)
            {
                break;
            }

            Memory<byte> key = Copy(_scratch.Key.AsSpan(0, _scratch.KeyLength), ref used);
            Memory<byte> value = Copy(_scratch.Value.AsSpan(0, _scratch.ValueLength), ref used);
            KafkaHeader[] headers = _headers[count];
            for (int h = 0; h < _scratch.HeaderCount; h++)
            {
                headers[h] = new KafkaHeader(_scratch.Headers[h].Key, Copy(_scratch.Headers[h].Value.Span, ref used));
            }

            _messages[count] = new ProducerMessage(key, value) { Headers = headers.AsMemory(0, _scratch.HeaderCount), Partition = _scratch.Partition };
            count++;
        }

        long started = Now();
        int accepted = Context.Producer.TryProduceBatch(Context.Topic, _messages.AsSpan(0, count));
        RecordCall(started);
        Accepted += accepted;
        if (accepted < count)
        {
            RefusedCalls++;
        }

        return count;
    }

    private Memory<byte> Copy(ReadOnlySpan<byte> bytes, ref int used)
    {
        Memory<byte> target = _arena.AsMemory(used, bytes.Length);
        bytes.CopyTo(target.Span);
        used += bytes.Length;
        return target;
    }
}

namespace KafkaFast.Chaos.Producing;

/// <summary><c>TryProduce</c> with text: the key and value are handed over as UTF-16 and encoded by the producer.</summary>
internal sealed class TextStream(int index, StreamContext context) : ProducerStream(index, context)
{
    private readonly MessageScratch _scratch = new();

    protected override int Offer(int budget)
    {
        _scratch.Build(Context.Factory, NextId());
        _scratch.WidenToChars();
        long started = Now();
        bool accepted = Context.Producer.TryProduce(Context.Topic, _scratch.KeyChars.AsSpan(0, _scratch.KeyLength), _scratch.ValueChars.AsSpan(0, _scratch.ValueLength),
            _scratch.Headers.AsSpan(0, _scratch.HeaderCount), _scratch.Partition);
        RecordCall(started);
        return CountOne(accepted);
    }
}

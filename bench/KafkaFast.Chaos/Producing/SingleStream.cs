namespace KafkaFast.Chaos.Producing;

/// <summary><c>TryProduce</c> with byte spans, one message per call.</summary>
internal sealed class SingleStream(int index, StreamContext context) : ProducerStream(index, context)
{
    private readonly MessageScratch _scratch = new();

    protected override int Offer(int budget)
    {
        _scratch.Build(Context.Factory, NextId());
        long started = Now();
        bool accepted = Context.Producer.TryProduce(Context.Topic, _scratch.Key.AsSpan(0, _scratch.KeyLength), _scratch.Value.AsSpan(0, _scratch.ValueLength),
            _scratch.Headers.AsSpan(0, _scratch.HeaderCount), _scratch.Partition);
        RecordCall(started);
        return CountOne(accepted);
    }
}

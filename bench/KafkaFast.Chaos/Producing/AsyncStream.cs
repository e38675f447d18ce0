using KafkaFast.Chaos.Messages;
using KafkaFast.Producer;

namespace KafkaFast.Chaos.Producing;

/// <summary>
/// <c>ProduceAsync</c> with up to 64 calls outstanding, allocation-free (a ring of ValueTasks, each consumed once).
/// Under <see cref="OverflowPolicy.Reject"/> a refused call fails at once (QueueFull) and the bytes are copied during
/// the call, so acceptance is known when the call returns, ids stay dense and the scratch buffers are reused at once.
/// Each outcome is recorded: where the broker says it put the message (checked against where the readers found it),
/// or the failure.
/// </summary>
internal sealed class AsyncStream(int index, StreamContext context) : ProducerStream(index, context)
{
    private const int MaxOutstanding = 64;
    private readonly ValueTask<DeliveryResult>[] _calls = new ValueTask<DeliveryResult>[MaxOutstanding];
    private readonly MessageId[] _ids = new MessageId[MaxOutstanding];
    private readonly MessageScratch _scratch = new();
    private int _head;
    private int _count;

    protected override int Offer(int budget)
    {
        if (_count == MaxOutstanding)
        {
            CompleteOldest();
        }

        MessageId id = NextId();
        _scratch.Build(Context.Factory, id);
        var message = new ProducerMessage(_scratch.Key.AsMemory(0, _scratch.KeyLength), _scratch.Value.AsMemory(0, _scratch.ValueLength))
        {
            Headers = _scratch.Headers.AsMemory(0, _scratch.HeaderCount),
            Partition = _scratch.Partition,
        };
        long started = Now();
        ValueTask<DeliveryResult> call = Context.Producer.ProduceAsync(Context.Topic, message);
        RecordCall(started);
        if (call.IsCompleted)
        {
            // Refused at the call (budget full, or the producer went fatal): not accepted, the id is reused. A refusal
            // names no partition; a delivery (or its failure) can also be complete already if this thread was
            // preempted after the call, and then the message was accepted.
            try
            {
                DeliveryResult result = call.GetAwaiter().GetResult();
                Accepted++;
                Context.AsyncOutcomes.Delivered(id, result.Partition, result.Offset);
            }
            catch (ProduceException e) when (e.Partition < 0 && e.Code is KafkaErrorCode.QueueFull or KafkaErrorCode.Fatal)
            {
                RefusedCalls++;
            }
            catch (ProduceException e)
            {
                Accepted++;
                Context.AsyncOutcomes.Failed(id, e.Code);
            }

            return 1;
        }

        Accepted++;
        int slot = (_head + _count) % MaxOutstanding;
        _calls[slot] = call;
        _ids[slot] = id;
        _count++;
        return 1;
    }

    protected override void Drain()
    {
        while (_count > 0)
        {
            CompleteOldest();
        }
    }

    private void CompleteOldest()
    {
        ValueTask<DeliveryResult> call = _calls[_head];
        MessageId id = _ids[_head];
        _calls[_head] = default;
        _head = (_head + 1) % MaxOutstanding;
        _count--;
        var spin = new SpinWait();
        while (!call.IsCompleted)
        {
            spin.SpinOnce(sleep1Threshold: 10); // checking IsCompleted does not consume the ValueTask
        }

        try
        {
            DeliveryResult result = call.GetAwaiter().GetResult();
            Context.AsyncOutcomes.Delivered(id, result.Partition, result.Offset);
        }
        catch (ProduceException e)
        {
            Context.AsyncOutcomes.Failed(id, e.Code);
        }
    }
}

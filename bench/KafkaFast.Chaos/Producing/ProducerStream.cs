using System.Diagnostics;
using KafkaFast.Chaos.Messages;
using KafkaFast.Measurement;
using KafkaFast.Producer;

namespace KafkaFast.Chaos.Producing;

/// <summary>
/// One producing thread, paced to its share of the offered load. It numbers only accepted messages (a refused
/// message's number goes to the next one), so its accepted messages are exactly sequences [0, Accepted). Every
/// produce call's duration goes into the shared latency histogram.
/// </summary>
internal abstract class ProducerStream
{
    private readonly Thread _thread;
    private readonly double _ratePerSecond;
    private volatile bool _stopping;

    protected ProducerStream(int index, StreamContext context)
    {
        Index = index;
        Context = context;
        _ratePerSecond = (double)context.Settings.Rate / (context.Settings.Streams + (context.Settings.ConfluentPeer ? 1 : 0));
        _thread = new Thread(Run) { Name = $"chaos stream {index}", IsBackground = true };
    }

    internal int Index { get; }

    internal StreamKind Kind => Context.Factory.KindOf(Index);

    protected StreamContext Context { get; }

    /// <summary>Accepted messages (the next sequence number).</summary>
    internal long Accepted;

    /// <summary>Calls refused (budget full, or fatal), each counted once as the producer counts them.</summary>
    internal long RefusedCalls;

    /// <summary>An exception no produce call should have thrown; it stopped this stream.</summary>
    internal Exception? Failure { get; private set; }

    internal void Start() => _thread.Start();

    internal void Stop() => _stopping = true;

    internal bool Join(TimeSpan timeout) => _thread.Join(timeout);

    /// <summary>Offers up to <paramref name="budget"/> messages starting at <see cref="Accepted"/>; returns how many were offered.</summary>
    protected abstract int Offer(int budget);

    /// <summary>Called once the stream stops (the awaitable stream waits for its outstanding calls here).</summary>
    protected virtual void Drain()
    {
    }

    protected MessageId NextId(int offset = 0) => new(Index, Accepted + offset);

    protected static long Now() => Stopwatch.GetTimestamp();

    /// <summary>Counts a one-message call: accepted (the next id) or refused (its id is reused). Returns 1 (offered).</summary>
    protected int CountOne(bool accepted)
    {
        if (accepted)
        {
            Accepted++;
        }
        else
        {
            RefusedCalls++;
        }

        return 1;
    }

    protected void RecordCall(long started) => Context.Latency.RecordTicks(started, Stopwatch.GetTimestamp());

    private void Run()
    {
        try
        {
            long start = Stopwatch.GetTimestamp();
            double offered = 0;
            while (!_stopping)
            {
                double due = Stopwatch.GetElapsedTime(start).TotalSeconds * _ratePerSecond;
                if (offered > due + 1)
                {
                    Thread.Sleep(1);
                    continue;
                }

                if (due - offered > _ratePerSecond)
                {
                    offered = due - _ratePerSecond; // more than a second behind (a stall): do not burst to catch up
                }

                offered += Offer((int)Math.Clamp(due - offered + 1, 1, 64));
            }

            Drain();
        }
        catch (Exception e)
        {
            Failure = e;
        }
    }

    internal static ProducerStream Create(int index, StreamContext context) => context.Factory.KindOf(index) switch
    {
        StreamKind.Single => new SingleStream(index, context),
        StreamKind.Batch => new BatchStream(index, context),
        StreamKind.Async => new AsyncStream(index, context),
        StreamKind.ConfluentPeer => new ConfluentPeerStream(index, context),
        _ => new TextStream(index, context),
    };
}

/// <summary>What every stream of a producer process shares.</summary>
internal sealed record StreamContext(ChaosSettings Settings, MessageFactory Factory, KafkaProducer Producer, KafkaTopic Topic, LatencyHistogram Latency, AsyncOutcomes AsyncOutcomes);

namespace KafkaFast.Native;

/// <summary>
/// The one queue an admin client's results arrive on, with the client's error and log events (its main queue and
/// log queue are forwarded here). Nobody waits on it: when it goes from empty to non-empty, librdkafka calls
/// <see cref="OnReadyNative"/> on one of its threads, which may not call librdkafka, so it only hands
/// the ready action to the thread pool; the reader then takes events with <see cref="TryTake"/> until it is empty.
/// No thread is held while requests are in flight.
/// <para>
/// Lifetime: librdkafka may call back until rd_kafka_destroy returns, so the callback's opaque is a weak GCHandle
/// (<see cref="SafeCallbackContextHandle"/>) kept by the rd_kafka_t's handle until then; a callback that finds the
/// queue collected or disposed does nothing.
/// </para>
/// </summary>
internal sealed unsafe class AdminEventQueue : IDisposable
{
    private readonly SafeKafkaHandle _rk;
    private readonly SafeQueueHandle _queue;
    private readonly Action<AdminEventQueue> _ready;
    private int _scheduled;

    private AdminEventQueue(SafeKafkaHandle rk, SafeQueueHandle queue, Action<AdminEventQueue> ready)
    {
        _rk = rk;
        _queue = queue;
        _ready = ready;
    }

    /// <summary>The rd_kafka_queue_t to pass as rkqu (callers hold a lease on <see cref="Handle"/>).</summary>
    internal SafeQueueHandle Handle => _queue;

    /// <summary>
    /// Creates the queue on <paramref name="rk"/>, forwards the client's main queue (errors) and log queue to it, and
    /// arranges for <paramref name="ready"/> to run on the thread pool whenever events wait. Two drains may overlap
    /// (a signal during a drain schedules the next): each event is taken by exactly one of them. The first may run
    /// before this method returns (errors and log lines can be waiting already), so it receives the queue as its
    /// argument; it must not throw (it runs on the thread pool).
    /// </summary>
    internal static AdminEventQueue Create(SafeKafkaHandle rk, Action<AdminEventQueue> ready)
    {
        using var lease = new HandleLease(rk);
        var queue = new SafeQueueHandle(rk, LibRdKafka.QueueNew(lease.Pointer));
        if (queue.IsInvalid)
        {
            throw new InvalidOperationException("librdkafka could not create a queue.");
        }

        var events = new AdminEventQueue(rk, queue, ready);
        var context = new SafeCallbackContextHandle(events);
        try
        {
            rk.KeepAliveUntilDestroyed(context); // the callback may run until rd_kafka_destroy returns
            LibRdKafka.QueueCbEventEnable(queue.DangerousGetHandle(), &OnReadyNative, context.Opaque);
            using (var main = new SafeQueueHandle(rk, LibRdKafka.QueueGetMain(rk)))
            {
                LibRdKafka.QueueForward(main.DangerousGetHandle(), queue.DangerousGetHandle());
            }

            int err = LibRdKafka.SetLogQueue(rk, queue);
            if (err != 0)
            {
                throw new InvalidOperationException($"librdkafka refused the log queue: {LibRdKafka.ErrorText(err)}");
            }
        }
        catch
        {
            queue.Dispose();
            throw;
        }
        finally
        {
            context.Dispose(); // our reference; the rd_kafka_t's keeps it until destroy
        }

        return events;
    }

    /// <summary>Takes the next event without waiting; false when the queue is empty or closed.</summary>
    internal bool TryTake(out SafeEventHandle? ev)
    {
        ev = null;
        bool added = false;
        try
        {
            _queue.DangerousAddRef(ref added);
            nint raw = LibRdKafka.QueuePoll(_queue.DangerousGetHandle(), 0);
            if (raw == 0)
            {
                return false;
            }

            ev = new SafeEventHandle(_rk, raw);
            return true;
        }
        catch (ObjectDisposedException)
        {
            return false; // closed: librdkafka destroys what is left
        }
        finally
        {
            if (added)
            {
                _queue.DangerousRelease();
            }
        }
    }

    /// <summary>Lets the next non-empty signal schedule the ready action again: call before draining.</summary>
    internal void BeginDrain() => Volatile.Write(ref _scheduled, 0);

    /// <summary>Schedules a drain (tests and the client call it after a request, in case the signal came first).</summary>
    internal void Schedule()
    {
        if (Interlocked.Exchange(ref _scheduled, 1) == 0)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static queue => queue._ready(queue), this, preferLocal: false);
        }
    }

    public void Dispose() => _queue.Dispose();

    /// <summary>Called on a librdkafka thread when the queue becomes non-empty: must not call librdkafka.</summary>
    [System.Runtime.InteropServices.UnmanagedCallersOnly]
    private static void OnReadyNative(nint rk, nint opaque)
    {
        try
        {
            SafeCallbackContextHandle.Resolve<AdminEventQueue>(opaque)?.Schedule();
        }
        catch (Exception)
        {
            // Thread pool refused work: the client's next request schedules a drain.
        }
    }
}

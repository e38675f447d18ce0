using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace KafkaFast.Native;

/// <summary>
/// Wakes a consumer waiting for messages. A connected pair of Unix sockets: librdkafka writes a byte to the notify
/// end when the consumer queue goes from empty to non-empty (rd_kafka_queue_io_event_enable), and so do Close,
/// cancellation and the keep-alive timer (<see cref="Signal"/>). The consuming side waits on the other end:
/// synchronously with poll(), or asynchronously with <see cref="Socket.ReceiveAsync(Memory{byte}, SocketFlags, CancellationToken)"/>,
/// which .NET serves from epoll, so an idle async consumer holds no thread. (An eventfd cannot be awaited that way.)
/// <para>
/// Both ends are non-blocking. Writes that find the buffer full fail with EAGAIN and are dropped, which is fine:
/// the reader is already due to wake. The notify end must stay open until rd_kafka_destroy returns, so the
/// consumer hands <see cref="NotifyHandle"/> to the callback context that outlives librdkafka.
/// </para>
/// Only one thread waits at a time (the consumer's single-consumer rule).
/// </summary>
internal sealed unsafe class ConsumerWakeup : IDisposable
{
    private readonly Socket _reader;
    private readonly byte[] _drain = new byte[64];

    private ConsumerWakeup(Socket reader, SafeSocketHandle notify)
    {
        _reader = reader;
        NotifyHandle = notify;
    }

    /// <summary>The end librdkafka (and <see cref="Signal"/>) writes to.</summary>
    internal SafeSocketHandle NotifyHandle { get; }

    internal int NotifyFd => (int)NotifyHandle.DangerousGetHandle();

    private int ReaderFd => (int)_reader.SafeHandle.DangerousGetHandle();

    internal static ConsumerWakeup Create()
    {
        int* fds = stackalloc int[2];
        if (LibC.SocketPair(LibC.AfUnix, LibC.SockStream | LibC.SockNonBlock | LibC.SockCloexec, 0, fds) != 0)
        {
            throw new InvalidOperationException($"socketpair failed: errno {Marshal.GetLastPInvokeError()}");
        }

        var notify = new SafeSocketHandle(fds[1], ownsHandle: true);
        try
        {
            return new ConsumerWakeup(new Socket(new SafeSocketHandle(fds[0], ownsHandle: true)), notify);
        }
        catch
        {
            notify.Dispose();
            LibC.Close(fds[0]);
            throw;
        }
    }

    /// <summary>Makes librdkafka write a byte to <see cref="NotifyHandle"/> whenever <paramref name="queue"/> goes from empty to non-empty.</summary>
    internal void Attach(SafeQueueHandle queue)
    {
        byte payload = 1; // copied by librdkafka
        using var lease = new HandleLease(queue);
        LibRdKafka.QueueIoEventEnableRaw(lease.Pointer, NotifyFd, &payload, 1);
    }

    /// <summary>Stops the writes <see cref="Attach"/> asked for (before the queue is released).</summary>
    internal static void Detach(SafeQueueHandle queue)
    {
        using var lease = new HandleLease(queue);
        LibRdKafka.QueueIoEventEnableRaw(lease.Pointer, -1, null, 0);
    }

    /// <summary>Wakes the waiter (or makes its next wait return at once). Any thread; never blocks.</summary>
    internal void Signal()
    {
        bool added = false;
        try
        {
            NotifyHandle.DangerousAddRef(ref added);
            byte one = 1;
            LibC.Write((int)NotifyHandle.DangerousGetHandle(), &one, 1);
        }
        catch (ObjectDisposedException)
        {
            // Closed: nobody to wake.
        }
        finally
        {
            if (added)
            {
                NotifyHandle.DangerousRelease();
            }
        }
    }

    /// <summary>Blocks until signalled or <paramref name="timeoutMs"/> passes (-1: no limit), then clears the signal.</summary>
    internal void Wait(int timeoutMs)
    {
        LibC.PollFd pollFd = new() { Fd = ReaderFd, Events = LibC.PollIn };
        if (LibC.Poll(&pollFd, 1, timeoutMs) > 0)
        {
            Drain();
        }
    }

    /// <summary>
    /// Completes when signalled, without holding a thread (epoll); throws OperationCanceledException when cancelled.
    /// Allocation-free in steady state (the socket reuses its awaitable). Call <see cref="Drain"/> after it.
    /// </summary>
    internal ValueTask<int> WaitAsync(CancellationToken cancellationToken) =>
        _reader.ReceiveAsync(_drain.AsMemory(), SocketFlags.None, cancellationToken);

    /// <summary>Reads whatever is pending without blocking (clears the signal).</summary>
    internal void Drain()
    {
        fixed (byte* buffer = _drain)
        {
            while (LibC.Read(ReaderFd, buffer, (nuint)_drain.Length) > 0)
            {
            }
        }
    }

    public void Dispose()
    {
        _reader.Dispose();
        NotifyHandle.Dispose();
    }
}

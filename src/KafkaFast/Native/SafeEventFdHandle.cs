using System.Runtime.InteropServices;

namespace KafkaFast.Native;

/// <summary>
/// A non-blocking eventfd. Request threads write to it to wake a sleeping worker; librdkafka writes to it when
/// the worker's event queue becomes non-empty; the worker sleeps in poll() on it.
/// </summary>
internal sealed unsafe class SafeEventFdHandle : SafeHandle
{
    public SafeEventFdHandle() : base(new IntPtr(-1), ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle.ToInt64() < 0;

    internal int Fd => (int)handle;

    internal static SafeEventFdHandle Create()
    {
        int fd = LibC.EventFd(0, LibC.EfdNonBlock | LibC.EfdCloexec);
        if (fd < 0)
        {
            throw new InvalidOperationException($"eventfd failed: errno {Marshal.GetLastPInvokeError()}");
        }

        var result = new SafeEventFdHandle();
        result.SetHandle(fd);
        return result;
    }

    /// <summary>Adds 1 to the counter; wakes a poll() on it. Non-blocking; never fails but for overflow, which cannot happen here.</summary>
    internal void Signal()
    {
        ulong one = 1;
        LibC.Write(Fd, &one, sizeof(ulong));
    }

    /// <summary>Waits until signalled or the timeout passes, then clears the counter.</summary>
    internal void Wait(int timeoutMs)
    {
        LibC.PollFd pollFd = new() { Fd = Fd, Events = LibC.PollIn };
        if (LibC.Poll(&pollFd, 1, timeoutMs) > 0)
        {
            ulong value;
            LibC.Read(Fd, &value, sizeof(ulong));
        }
    }

    /// <summary>
    /// Waits until this or <paramref name="also"/> (when given) is signalled or the timeout passes, then clears the
    /// counters of those signalled. Returns whether <paramref name="also"/> was among them.
    /// </summary>
    internal bool Wait(int timeoutMs, SafeEventFdHandle? also)
    {
        if (also is null)
        {
            Wait(timeoutMs);
            return false;
        }

        LibC.PollFd* pollFds = stackalloc LibC.PollFd[2];
        pollFds[0] = new LibC.PollFd { Fd = Fd, Events = LibC.PollIn };
        pollFds[1] = new LibC.PollFd { Fd = also.Fd, Events = LibC.PollIn };
        if (LibC.Poll(pollFds, 2, timeoutMs) <= 0)
        {
            return false;
        }

        ulong value;
        if (pollFds[0].REvents != 0)
        {
            LibC.Read(Fd, &value, sizeof(ulong));
        }

        if (pollFds[1].REvents == 0)
        {
            return false;
        }

        LibC.Read(also.Fd, &value, sizeof(ulong));
        return true;
    }

    protected override bool ReleaseHandle() => LibC.Close((int)handle) == 0;
}

using System.Runtime.InteropServices;

namespace KafkaFast.Native;

/// <summary>eventfd and poll: how a sleeping worker is woken by request threads and by librdkafka.</summary>
internal static unsafe partial class LibC
{
    internal const int EfdNonBlock = 0x800;   // O_NONBLOCK
    internal const int EfdCloexec = 0x80000;  // O_CLOEXEC
    internal const short PollIn = 0x1;
    internal const int EIntr = 4;

    [StructLayout(LayoutKind.Sequential)]
    internal struct PollFd
    {
        public int Fd;
        public short Events;
        public short REvents;
    }

    [LibraryImport(Libraries.LibC, EntryPoint = "eventfd", SetLastError = true)]
    internal static partial int EventFd(uint initialValue, int flags);

    [LibraryImport(Libraries.LibC, EntryPoint = "poll", SetLastError = true)]
    internal static partial int Poll(PollFd* fds, nuint count, int timeoutMs);

    [LibraryImport(Libraries.LibC, EntryPoint = "read", SetLastError = true)]
    internal static partial nint Read(int fd, void* buffer, nuint count);

    [LibraryImport(Libraries.LibC, EntryPoint = "write", SetLastError = true)]
    internal static partial nint Write(int fd, void* buffer, nuint count);

    [LibraryImport(Libraries.LibC, EntryPoint = "close", SetLastError = true)]
    internal static partial int Close(int fd);
}

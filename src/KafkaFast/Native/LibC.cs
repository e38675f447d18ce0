using System.Runtime.InteropServices;

namespace KafkaFast.Native;

/// <summary>
/// eventfd and poll: how a sleeping worker is woken by request threads and by librdkafka; mmap and madvise: the
/// producer's budget memory, whose pages can be handed back to the kernel.
/// </summary>
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

    internal const int ProtReadWrite = 0x3;                                  // PROT_READ | PROT_WRITE
    internal const int MapPrivateAnonymousNoReserve = 0x02 | 0x20 | 0x4000;  // MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE
    internal const int MadvDontNeed = 4;                                     // MADV_DONTNEED: pages read back as zeros

    /// <summary>Returns MAP_FAILED (-1) on failure.</summary>
    [LibraryImport(Libraries.LibC, EntryPoint = "mmap", SetLastError = true)]
    internal static partial nint Mmap(nint address, nuint length, int protection, int flags, int fd, nint offset);

    [LibraryImport(Libraries.LibC, EntryPoint = "munmap", SetLastError = true)]
    internal static partial int Munmap(nint address, nuint length);

    [LibraryImport(Libraries.LibC, EntryPoint = "madvise", SetLastError = true)]
    internal static partial int Madvise(nint address, nuint length, int advice);
}

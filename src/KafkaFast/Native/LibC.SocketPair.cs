using System.Runtime.InteropServices;

namespace KafkaFast.Native;

/// <summary>socketpair: a wake-up channel librdkafka can write to and .NET can await without blocking a thread.</summary>
internal static unsafe partial class LibC
{
    internal const int AfUnix = 1;
    internal const int SockStream = 1;
    internal const int SockNonBlock = 0x800;   // O_NONBLOCK
    internal const int SockCloexec = 0x80000;  // O_CLOEXEC
    internal const int EAgain = 11;

    [LibraryImport(Libraries.LibC, EntryPoint = "socketpair", SetLastError = true)]
    internal static partial int SocketPair(int domain, int type, int protocol, int* fds);
}

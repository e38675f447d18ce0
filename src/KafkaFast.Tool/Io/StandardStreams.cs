using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace KafkaFast.Tool.Io;

/// <summary>
/// The process's standard output as a stream that reports a closed pipe. .NET's console stream drops EPIPE silently
/// (so <c>kafkafast consume | head -3</c> would run forever); a FileStream over fd 1 surfaces it as
/// <see cref="IOException"/> (the runtime ignores SIGPIPE, so write(2) returns EPIPE). <see cref="ReaderGone"/>
/// notices it without writing: poll(2) reports POLLERR on a pipe's write end once the read end is closed.
/// </summary>
internal static partial class StandardStreams
{
    private const int StandardOutputFd = 1;
    private const short PollErr = 0x8;
    private const short PollHup = 0x10;

    /// <summary>Standard output, unbuffered (callers buffer and flush per batch).</summary>
    internal static Stream OpenOutput() => OperatingSystem.IsWindows()
        ? Console.OpenStandardOutput()
        : new FileStream(new SafeFileHandle(StandardOutputFd, ownsHandle: false), FileAccess.Write, bufferSize: 0);

    /// <summary>True when standard output is a pipe or socket whose reader has gone.</summary>
    internal static bool ReaderGone()
    {
        if (OperatingSystem.IsWindows())
        {
            return false;
        }

        var fd = new PollFd { Fd = StandardOutputFd, Events = 0 };
        return Poll(ref fd, 1, 0) > 0 && (fd.REvents & (PollErr | PollHup)) != 0;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct PollFd
    {
        public int Fd;
        public short Events;
        public short REvents;
    }

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    private static partial int Poll(ref PollFd fds, nuint count, int timeoutMs);
}

using System.Runtime.InteropServices;

namespace KafkaFast.Tests.Support;

/// <summary>
/// Captures what anything in the process (librdkafka's C code included) writes to file descriptors 1 and 2 while an
/// action runs, by pointing both at a temporary file. Process-wide: use it only in <see cref="SerialTests"/>.
/// </summary>
internal static partial class ConsoleCapture
{
    internal static async Task<string> RunAsync(Func<Task> action)
    {
        string path = Path.GetTempFileName();
        try
        {
            using (var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.ReadWrite))
            {
                int fd = (int)file.SafeFileHandle.DangerousGetHandle();
                Console.Out.Flush();
                Console.Error.Flush();
                int savedOut = Dup(1), savedError = Dup(2);
                Assert.True(savedOut >= 0 && savedError >= 0, "dup failed");
                Assert.True(Dup2(fd, 1) >= 0 && Dup2(fd, 2) >= 0, "dup2 failed");
                try
                {
                    await action();
                }
                finally
                {
                    Console.Out.Flush();
                    Console.Error.Flush();
                    _ = Dup2(savedOut, 1);
                    _ = Dup2(savedError, 2);
                    _ = Close(savedOut);
                    _ = Close(savedError);
                }
            }

            return await File.ReadAllTextAsync(path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>Writes straight to a file descriptor, as C code does (for the capture's own test).</summary>
    internal static unsafe void WriteNative(int fd, string text)
    {
        byte[] bytes = System.Text.Encoding.UTF8.GetBytes(text);
        fixed (byte* p = bytes)
        {
            Assert.Equal(bytes.Length, (int)Write(fd, p, (nuint)bytes.Length));
        }
    }

    [LibraryImport("libc", EntryPoint = "write")]
    private static unsafe partial nint Write(int fd, byte* buffer, nuint count);

    [LibraryImport("libc", EntryPoint = "dup")]
    private static partial int Dup(int fd);

    [LibraryImport("libc", EntryPoint = "dup2")]
    private static partial int Dup2(int oldFd, int newFd);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);
}

using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using KafkaFast.Native;

namespace KafkaFast.Testing;

/// <summary>
/// Confluent.Kafka (the independent peer tests and benchmarks compare with) has its own loader: its imports name
/// "librdkafka", which the runtime probes from the package's generic build (fails on Debian: libsasl2.so.3) to the
/// OS search path, where a distribution's old copy waits (Debian: 2.0.2). <c>Library.Load(path)</c> alone does not
/// change that on .NET: it dlopens the file (through "libdl", absent without libc6-dev) and then binds the same
/// bare-name imports. So its assembly gets a resolver that binds every librdkafka import to the file KafkaFast
/// loaded (and "libdl" to glibc's), and then <c>Library.Load</c> names that file. Runs before anything in this
/// assembly can touch Confluent.Kafka. Linked into every project that references Confluent.Kafka.
/// </summary>
internal static class ConfluentLibrdkafka
{
#pragma warning disable CA2255 // Must run before any code of this assembly touches Confluent.Kafka.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void UseKafkaFastLibrary()
    {
        string path = LibrdkafkaLibrary.LoadedPath;
        NativeLibrary.SetDllImportResolver(typeof(Confluent.Kafka.Library).Assembly, Resolve);
        Confluent.Kafka.Library.Load(path);
    }

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (name.Contains("librdkafka", StringComparison.Ordinal))
        {
            return NativeLibrary.Load(LibrdkafkaLibrary.LoadedPath); // same file: the OS returns the mapping KafkaFast made
        }

        if (name == "libdl")
        {
            return NativeLibrary.TryLoad("libdl.so.2", out IntPtr libdl) ? libdl : NativeLibrary.Load("libc.so.6");
        }

        return IntPtr.Zero;
    }
}

using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace KafkaFast.Native;

/// <summary>
/// Finds librdkafka. The package's default linux-x64 binary links libsasl2.so.3 (the RHEL name) and
/// does not load on Debian, so after the default probe we try the package's other builds
/// (centos8: glibc only; alpine: musl). When nothing loads, the exception lists every file tried and why.
/// </summary>
internal static class NativeLibraryResolver
{
    /// <summary>Environment variable naming an explicit librdkafka file to load first.</summary>
    internal const string OverrideVariable = "KAFKAFAST_LIBRDKAFKA_PATH";

    private static readonly string[] s_linuxFallbacks = ["centos8-librdkafka.so", "alpine-librdkafka.so"];

#pragma warning disable CA2255 // The resolver must be in place before the first P/Invoke of this assembly.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Register() =>
        NativeLibrary.SetDllImportResolver(typeof(NativeLibraryResolver).Assembly, Resolve);

    private static IntPtr Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (libraryName != Libraries.RdKafka)
        {
            return IntPtr.Zero; // default probing for libc
        }

        var failures = new StringBuilder();
        foreach (string candidate in Candidates())
        {
            try
            {
                return NativeLibrary.Load(candidate, assembly, searchPath);
            }
            catch (Exception e) when (e is DllNotFoundException or BadImageFormatException)
            {
                failures.Append("\n  ").Append(candidate).Append(": ").Append(e.Message);
            }
        }

        throw new DllNotFoundException(
            $"KafkaFast could not load librdkafka (package librdkafka.redist). Tried:{failures}\n" +
            $"Set {OverrideVariable} to the full path of a librdkafka.so that loads on this machine.");
    }

    private static IEnumerable<string> Candidates()
    {
        string? explicitPath = Environment.GetEnvironmentVariable(OverrideVariable);
        if (!string.IsNullOrEmpty(explicitPath))
        {
            yield return explicitPath;
        }

        yield return Libraries.RdKafka; // deps.json probing: runtimes/<rid>/native/librdkafka.so

        if (!OperatingSystem.IsLinux())
        {
            yield break;
        }

        string arch = RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? "linux-arm64" : "linux-x64";
        string[] folders =
        [
            Path.Combine(AppContext.BaseDirectory, "runtimes", arch, "native"),
            AppContext.BaseDirectory,
        ];
        foreach (string folder in folders.Distinct())
        {
            foreach (string file in s_linuxFallbacks)
            {
                string path = Path.Combine(folder, file);
                if (File.Exists(path))
                {
                    yield return path;
                }
            }
        }
    }
}

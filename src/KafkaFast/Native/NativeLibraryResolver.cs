using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace KafkaFast.Native;

/// <summary>
/// Binds every librdkafka P/Invoke of this assembly to one library chosen by <see cref="LibrdkafkaCandidates"/>
/// (never the bare name first: that lets the OS search path find a distribution's old copy) and checked by
/// <see cref="LibrdkafkaLoader"/>. Process-wide: the choice is made once, at the first librdkafka call.
/// </summary>
internal static class NativeLibraryResolver
{
    /// <summary>Environment variable naming the librdkafka file to load instead of the package's.</summary>
    internal const string PathVariable = "KAFKAFAST_LIBRDKAFKA_PATH";

    /// <summary>Environment variable that, set to 1 or true, lets the system's librdkafka be tried last.</summary>
    internal const string AllowSystemVariable = "KAFKAFAST_LIBRDKAFKA_ALLOW_SYSTEM";

    private static readonly Lock s_lock = new();
    private static LoadedLibrdkafka? s_loaded;
    private static string? s_overridePath;
    private static bool s_allowSystemLibrary;

    /// <summary>The version KafkaFast is built against (librdkafka.redist's): older libraries are refused.</summary>
    internal static Version MinimumVersion { get; } = Version.Parse(LibrdkafkaSearch.RedistVersion);

    /// <summary>The library, once loaded; null before the first librdkafka call.</summary>
    internal static LoadedLibrdkafka? Loaded => Volatile.Read(ref s_loaded);

    /// <summary>An explicit file; wins over <see cref="PathVariable"/>. Settable until the library is loaded.</summary>
    internal static string? OverridePath
    {
        get => s_overridePath;
        set
        {
            string? path = string.IsNullOrWhiteSpace(value) ? null : value;
            lock (s_lock)
            {
                // Naming the file already loaded changes nothing; anything else would be silently ignored: refuse.
                ThrowIfLoaded(nameof(OverridePath), same: path == s_overridePath
                    || (path is not null && s_loaded is { } loaded && Path.GetFullPath(path) == loaded.Candidate.Path));
                s_overridePath = path;
            }
        }
    }

    /// <summary>Whether the system's librdkafka may be tried after the package's files. Settable until loaded.</summary>
    internal static bool AllowSystemLibrary
    {
        get => s_allowSystemLibrary;
        set
        {
            lock (s_lock)
            {
                ThrowIfLoaded(nameof(AllowSystemLibrary), same: value == s_allowSystemLibrary);
                s_allowSystemLibrary = value;
            }
        }
    }

    /// <summary>Loads librdkafka now if it is not yet; throws <see cref="DllNotFoundException"/> listing what was tried.</summary>
    internal static LoadedLibrdkafka Load()
    {
        if (Volatile.Read(ref s_loaded) is { } loaded)
        {
            return loaded;
        }

        lock (s_lock)
        {
            // Failures are not cached: after fixing the override the next call tries again.
            s_loaded ??= LibrdkafkaLoader.Load(
                LibrdkafkaCandidates.For(LibrdkafkaSearch.FromProcess(
                    s_overridePath ?? Environment.GetEnvironmentVariable(PathVariable),
                    s_allowSystemLibrary || IsSet(Environment.GetEnvironmentVariable(AllowSystemVariable)))),
                MinimumVersion,
                SystemNativeLibraryOpener.Instance,
                NativePlatform.Current.ToString());
            return s_loaded;
        }
    }

#pragma warning disable CA2255 // The resolver must be in place before the first P/Invoke of this assembly.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Register() =>
        NativeLibrary.SetDllImportResolver(typeof(NativeLibraryResolver).Assembly, Resolve);

    private static IntPtr Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath) =>
        libraryName == Libraries.RdKafka ? Load().Handle : IntPtr.Zero; // IntPtr.Zero: default probing (libc)

    private static void ThrowIfLoaded(string setting, bool same)
    {
        if (s_loaded is { } loaded && !same)
        {
            throw new InvalidOperationException(
                $"librdkafka is already loaded ({loaded.Path}, {loaded.VersionText}); set {setting} before the first producer, consumer or cluster is created.");
        }
    }

    private static bool IsSet(string? value) =>
        value is not null && (value.Trim() == "1" || value.Trim().Equals("true", StringComparison.OrdinalIgnoreCase));
}

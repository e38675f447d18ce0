using Microsoft.Extensions.Logging;

namespace KafkaFast.Native;

/// <summary>
/// The native librdkafka KafkaFast runs on: which file was loaded, its version, and how to choose another.
/// </summary>
/// <remarks>
/// <para>
/// By default KafkaFast loads the build from the librdkafka.redist package it depends on, by absolute path, for
/// this platform (linux-x64 glibc: the generic build, then the centos8 one, which needs only glibc 2.28; musl: the
/// alpine build; osx-x64/arm64, win-x64/x86, linux-arm64: the package's file). It never falls back to the
/// operating system's search path on its own: distributions ship older librdkafka versions (Debian 12: 2.0.2, with
/// kcat) that lack functions KafkaFast calls. A library older than <see cref="MinimumVersion"/> is refused.
/// </para>
/// <para>
/// The choice is made once per process, at the first producer, consumer or cluster. To choose another file set
/// <see cref="OverridePath"/> before that, or the environment variable <c>KAFKAFAST_LIBRDKAFKA_PATH</c>; to let
/// the system's librdkafka be tried after the package's files, <see cref="AllowSystemLibrary"/> or
/// <c>KAFKAFAST_LIBRDKAFKA_ALLOW_SYSTEM=1</c>.
/// </para>
/// <para>
/// Another librdkafka binding in the same process (Confluent.Kafka) loads a copy found by its own rules (Confluent.Kafka
/// probes the bare name, which finds a distribution's copy). To share this one, give that assembly a resolver before
/// its first use: <c>NativeLibrary.SetDllImportResolver(assembly, (name, _, _) =&gt; name.Contains("librdkafka") ?
/// NativeLibrary.Load(LibrdkafkaLibrary.LoadedPath) : 0)</c>. <see cref="TryGetMappedFiles"/> shows whether one file is mapped.
/// </para>
/// </remarks>
public static partial class LibrdkafkaLibrary
{
    /// <summary>Environment variable naming the librdkafka file to load (when <see cref="OverridePath"/> is not set).</summary>
    public const string PathVariable = NativeLibraryResolver.PathVariable;

    /// <summary>Environment variable that, set to <c>1</c> or <c>true</c>, has the same effect as <see cref="AllowSystemLibrary"/>.</summary>
    public const string AllowSystemVariable = NativeLibraryResolver.AllowSystemVariable;

    private static int s_logged;

    /// <summary>
    /// The librdkafka file to load instead of the package's. It alone is tried: if it does not load or is older
    /// than <see cref="MinimumVersion"/>, the first librdkafka call throws <see cref="DllNotFoundException"/>
    /// saying why. A relative path is relative to the app's folder. Wins over <see cref="PathVariable"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">librdkafka is already loaded from another file.</exception>
    public static string? OverridePath
    {
        get => NativeLibraryResolver.OverridePath;
        set => NativeLibraryResolver.OverridePath = value;
    }

    /// <summary>
    /// When none of the package's files loads (a platform it has no build for), try the system's librdkafka on the
    /// OS search path (<c>librdkafka.so.1</c>, <c>librdkafka.1.dylib</c>, <c>librdkafka.dll</c>). Off by default.
    /// </summary>
    /// <exception cref="InvalidOperationException">librdkafka is already loaded.</exception>
    public static bool AllowSystemLibrary
    {
        get => NativeLibraryResolver.AllowSystemLibrary;
        set => NativeLibraryResolver.AllowSystemLibrary = value;
    }

    /// <summary>The oldest librdkafka accepted: the librdkafka.redist version KafkaFast is built against.</summary>
    public static Version MinimumVersion => NativeLibraryResolver.MinimumVersion;

    /// <summary>Whether librdkafka has been loaded in this process.</summary>
    public static bool IsLoaded => NativeLibraryResolver.Loaded is not null;

    /// <summary>The loaded file, as mapped into the process (links resolved). Loads librdkafka if needed.</summary>
    /// <exception cref="DllNotFoundException">No acceptable librdkafka: the message lists every file tried and why.</exception>
    public static string LoadedPath => NativeLibraryResolver.Load().Path;

    /// <summary>The loaded library's version (major.minor.revision). Loads librdkafka if needed.</summary>
    /// <exception cref="DllNotFoundException">No acceptable librdkafka: the message lists every file tried and why.</exception>
    public static Version LoadedVersion => NativeLibraryResolver.Load().Version;

    /// <summary>One line for logs and <c>--version</c> output: version, file, and where it was found.</summary>
    /// <exception cref="DllNotFoundException">No acceptable librdkafka: the message lists every file tried and why.</exception>
    public static string Description
    {
        get
        {
            LoadedLibrdkafka loaded = NativeLibraryResolver.Load();
            return $"librdkafka {loaded.VersionText} {loaded.Path} ({loaded.Candidate.Origin})";
        }
    }

    /// <summary>Loads librdkafka now if it is not yet (otherwise the first producer, consumer or cluster does).</summary>
    /// <exception cref="DllNotFoundException">No acceptable librdkafka: the message lists every file tried and why.</exception>
    public static void Load() => NativeLibraryResolver.Load();

    /// <summary>
    /// Every librdkafka file mapped into this process, read from the OS (<c>/proc/self/maps</c>): one file when
    /// every binding in the process shares KafkaFast's, more when another loaded its own copy.
    /// </summary>
    /// <param name="files">The files, in address order.</param>
    /// <returns>False where the OS does not expose the process's mappings (only Linux does).</returns>
    public static bool TryGetMappedFiles(out IReadOnlyList<string> files)
    {
        if (!ProcessMaps.IsSupported)
        {
            files = [];
            return false;
        }

        files = ProcessMaps.Files(IsLibrdkafkaFile);
        return true;
    }

    /// <summary>librdkafka.so*, centos8-librdkafka.so, librdkafka.dylib...: not the C++ wrapper (librdkafka++, librdkafkacpp).</summary>
    private static bool IsLibrdkafkaFile(string fileName) =>
        fileName.Contains("librdkafka", StringComparison.OrdinalIgnoreCase)
        && !fileName.Contains("librdkafka++", StringComparison.OrdinalIgnoreCase)
        && !fileName.Contains("librdkafkacpp", StringComparison.OrdinalIgnoreCase);

    /// <summary>Logs which librdkafka the process uses, once per process, through the first logger that wants it.</summary>
    internal static void LogLoadedOnce(ILogger logger) => LogLoadedOnce(logger, ref s_logged);

    /// <summary>Logs the loaded library unless <paramref name="gate"/> says it was logged; true when this call logged it.</summary>
    internal static bool LogLoadedOnce(ILogger logger, ref int gate)
    {
        if (Volatile.Read(ref gate) != 0 || !logger.IsEnabled(LogLevel.Information)
            || NativeLibraryResolver.Loaded is not { } loaded || Interlocked.Exchange(ref gate, 1) != 0)
        {
            return false;
        }

        LogLoaded(logger, loaded.VersionText, loaded.Path, loaded.Candidate.Origin);
        return true;
    }

    [LoggerMessage(100, LogLevel.Information, "Using librdkafka {Version} from {Path} ({Origin})", EventName = "LibrdkafkaLoaded")]
    private static partial void LogLoaded(ILogger logger, string version, string path, string origin);
}

using System.Runtime.InteropServices;

namespace KafkaFast.Native;

/// <summary>Operating systems librdkafka.redist ships builds for.</summary>
internal enum NativeOs
{
    Other,
    Linux,
    MacOS,
    Windows,
}

/// <summary>
/// What decides which of librdkafka.redist's files can load here: OS, process architecture and, on Linux, the C
/// library (glibc or musl). A value, so candidate lists can be computed for any platform in tests.
/// </summary>
internal readonly record struct NativePlatform(NativeOs Os, Architecture Architecture, bool IsMusl = false)
{
    /// <summary>The platform this process runs on.</summary>
    internal static NativePlatform Current { get; } = Detect();

    /// <summary>The package's folder under <c>runtimes/</c> for this platform, or null when it ships no build.</summary>
    internal string? RuntimeFolder => (Os, Architecture) switch
    {
        (NativeOs.Linux, Architecture.X64) => "linux-x64",
        (NativeOs.Linux, Architecture.Arm64) => "linux-arm64",
        (NativeOs.Linux, Architecture.S390x) => IsMusl ? null : "linux-s390x",
        (NativeOs.MacOS, Architecture.X64) => "osx-x64",
        (NativeOs.MacOS, Architecture.Arm64) => "osx-arm64",
        (NativeOs.Windows, Architecture.X64) => "win-x64",
        (NativeOs.Windows, Architecture.X86) => "win-x86",
        _ => null,
    };

    /// <summary>
    /// The package's files for this platform, in the order to try them. The generic Linux build links
    /// libsasl2.so.3 (the RHEL name) and fails on Debian/Ubuntu; centos8-librdkafka.so needs only glibc 2.28.
    /// The alpine build is linked against musl and is the only one that loads there.
    /// </summary>
    internal IReadOnlyList<string> PackageFiles => Os switch
    {
        NativeOs.Linux when RuntimeFolder is null => [],
        NativeOs.Linux when IsMusl => Architecture is Architecture.X64 or Architecture.Arm64 ? ["alpine-librdkafka.so"] : [],
        NativeOs.Linux when Architecture == Architecture.X64 => ["librdkafka.so", "centos8-librdkafka.so"],
        NativeOs.Linux => ["librdkafka.so"],
        NativeOs.MacOS when RuntimeFolder is not null => ["librdkafka.dylib"],
        NativeOs.Windows when RuntimeFolder is not null => ["librdkafka.dll"],
        _ => [],
    };

    /// <summary>The name the system's own librdkafka is found by on the OS search path (opt-in only).</summary>
    internal string? SystemLibraryName => Os switch
    {
        NativeOs.Linux => "librdkafka.so.1",
        NativeOs.MacOS => "librdkafka.1.dylib",
        NativeOs.Windows => "librdkafka.dll",
        _ => null,
    };

    /// <inheritdoc/>
    public override string ToString() =>
        $"{Os.ToString().ToLowerInvariant()}{(IsMusl ? "-musl" : "")}-{Architecture.ToString().ToLowerInvariant()}";

    private static NativePlatform Detect()
    {
        NativeOs os = OperatingSystem.IsLinux() ? NativeOs.Linux
            : OperatingSystem.IsMacOS() ? NativeOs.MacOS
            : OperatingSystem.IsWindows() ? NativeOs.Windows
            : NativeOs.Other;
        return new NativePlatform(os, RuntimeInformation.ProcessArchitecture, os == NativeOs.Linux && IsMuslLibc());
    }

    /// <summary>
    /// musl: the runtime was built for it (linux-musl-* RID), or this process runs on musl's dynamic loader. (Not
    /// "is ld-musl installed": Debian's musl package installs it beside glibc.)
    /// </summary>
    private static bool IsMuslLibc() =>
        RuntimeInformation.RuntimeIdentifier.Contains("musl", StringComparison.OrdinalIgnoreCase)
        || ProcessMaps.Files(static name => name.StartsWith("ld-musl-", StringComparison.Ordinal)).Count > 0;
}

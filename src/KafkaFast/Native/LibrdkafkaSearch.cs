using System.Reflection;

namespace KafkaFast.Native;

/// <summary>
/// Everything the choice of librdkafka file depends on. <see cref="LibrdkafkaCandidates.For"/> turns it into the
/// ordered candidate list without touching the file system, so the order is testable for any platform;
/// <see cref="FromProcess"/> gathers the values of this process.
/// </summary>
/// <param name="Platform">OS, architecture, C library.</param>
/// <param name="BaseDirectory">The app's folder (<see cref="AppContext.BaseDirectory"/>).</param>
/// <param name="AssemblyDirectory">KafkaFast.dll's folder when it differs (plugin hosts); null when unknown.</param>
/// <param name="DepsNativeDirectories">The folders the host resolved native assets into from the deps file.</param>
/// <param name="PackageRoots">NuGet package folders (the global packages folder, probing paths).</param>
/// <param name="PackageVersion">The librdkafka.redist version KafkaFast was built against: its folder in a package root.</param>
/// <param name="OverridePath">An explicit file chosen by the user: it alone is tried.</param>
/// <param name="AllowSystemLibrary">Whether the OS search path may be tried after every package file failed.</param>
internal sealed record LibrdkafkaSearch(
    NativePlatform Platform,
    string BaseDirectory,
    string? AssemblyDirectory,
    IReadOnlyList<string> DepsNativeDirectories,
    IReadOnlyList<string> PackageRoots,
    string PackageVersion,
    string? OverridePath,
    bool AllowSystemLibrary)
{
    /// <summary>The NuGet package id that ships librdkafka's builds.</summary>
    internal const string PackageId = "librdkafka.redist";

    /// <summary>This process's values.</summary>
    internal static LibrdkafkaSearch FromProcess(string? overridePath, bool allowSystemLibrary)
    {
        string baseDirectory = AppContext.BaseDirectory;
#pragma warning disable IL3000 // Empty in a single-file app, whose native files sit beside it: the base directory covers that.
        string location = typeof(LibrdkafkaSearch).Assembly.Location;
#pragma warning restore IL3000
        string? assemblyDirectory = string.IsNullOrEmpty(location) ? null : Path.GetDirectoryName(location);

        return new LibrdkafkaSearch(
            NativePlatform.Current,
            baseDirectory,
            assemblyDirectory,
            ReadDepsNativeDirectories(),
            ReadPackageRoots(),
            RedistVersion,
            overridePath,
            allowSystemLibrary);
    }

    /// <summary>librdkafka.redist's version, written into the assembly at build time (see KafkaFast.csproj).</summary>
    internal static string RedistVersion { get; } =
        typeof(LibrdkafkaSearch).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "LibrdkafkaRedistVersion")?.Value
        ?? throw new InvalidOperationException("KafkaFast was built without its LibrdkafkaRedistVersion metadata.");

    /// <summary>
    /// NATIVE_DLL_SEARCH_DIRECTORIES: the app's folders the host laid native assets out in (from the deps file),
    /// minus the shared framework's folders, which never hold librdkafka.
    /// </summary>
    private static string[] ReadDepsNativeDirectories()
    {
        string frameworks = Path.GetDirectoryName(Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(
            System.Runtime.InteropServices.RuntimeEnvironment.GetRuntimeDirectory()))) ?? "";
        return Split(AppContext.GetData("NATIVE_DLL_SEARCH_DIRECTORIES") as string)
            .Where(d => frameworks.Length == 0 || !d.StartsWith(frameworks, StringComparison.Ordinal))
            .ToArray();
    }

    /// <summary>NUGET_PACKAGES or ~/.nuget/packages, then the host's probing paths (runtimeconfig.dev.json).</summary>
    private static string[] ReadPackageRoots()
    {
        string? configured = Environment.GetEnvironmentVariable("NUGET_PACKAGES");
        string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        string? global = !string.IsNullOrEmpty(configured) ? configured
            : home.Length > 0 ? Path.Combine(home, ".nuget", "packages")
            : null;
        return (global is null ? [] : new[] { global })
            .Concat(Split(AppContext.GetData("PROBING_DIRECTORIES") as string))
            .ToArray();
    }

    private static string[] Split(string? list) =>
        (list ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}

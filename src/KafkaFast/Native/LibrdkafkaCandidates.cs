namespace KafkaFast.Native;

/// <summary>
/// The ordered list of librdkafka files to try: a pure function of <see cref="LibrdkafkaSearch"/>.
/// </summary>
/// <remarks>
/// Order, and why:
/// <list type="number">
/// <item>An explicit override is the user's choice: it alone is tried (falling back to another file would hide
/// the mistake).</item>
/// <item>librdkafka.redist's own files for this platform, by absolute path: the folders the deps file laid them
/// out in, the app's <c>runtimes/&lt;rid&gt;/native</c> and base folder (a RID-specific publish flattens them),
/// KafkaFast.dll's folder, then the NuGet package folder (running from a build folder without copied assets).
/// In each folder the files go in the platform's order (linux-x64 glibc: generic, then centos8).</item>
/// <item>Only when allowed: the bare name, so the OS search path finds the system's librdkafka. Never by default:
/// distributions ship old versions (Debian 12: 2.0.2) that lack functions KafkaFast calls.</item>
/// </list>
/// </remarks>
internal static class LibrdkafkaCandidates
{
    internal const string OverrideOrigin = "override";
    internal const string SystemOrigin = "system search path (opted in)";

    internal static IReadOnlyList<LibrdkafkaCandidate> For(LibrdkafkaSearch search)
    {
        ArgumentNullException.ThrowIfNull(search);
        if (!string.IsNullOrWhiteSpace(search.OverridePath))
        {
            return [new LibrdkafkaCandidate(Path.GetFullPath(search.OverridePath, search.BaseDirectory), OverrideOrigin)];
        }

        var candidates = new List<LibrdkafkaCandidate>();
        NativePlatform platform = search.Platform;
        string? rid = platform.RuntimeFolder;
        if (rid is not null)
        {
            string ridNative = Path.Combine("runtimes", rid, "native");
            var folders = new List<(string Folder, string Origin)>();
            foreach (string folder in search.DepsNativeDirectories)
            {
                folders.Add((folder, "deps.json native folder"));
            }

            folders.Add((Path.Combine(search.BaseDirectory, ridNative), "app runtimes folder"));
            folders.Add((search.BaseDirectory, "app folder"));
            if (search.AssemblyDirectory is { } assemblyDirectory)
            {
                folders.Add((Path.Combine(assemblyDirectory, ridNative), "KafkaFast.dll's runtimes folder"));
                folders.Add((assemblyDirectory, "KafkaFast.dll's folder"));
            }

            foreach (string root in search.PackageRoots)
            {
                folders.Add((Path.Combine(root, LibrdkafkaSearch.PackageId, search.PackageVersion, ridNative), "NuGet package folder"));
            }

            var seen = new HashSet<string>(OperatingSystem.IsWindows() ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal);
            foreach ((string folder, string origin) in folders)
            {
                string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder, search.BaseDirectory));
                if (!seen.Add(full))
                {
                    continue;
                }

                foreach (string file in platform.PackageFiles)
                {
                    candidates.Add(new LibrdkafkaCandidate(Path.Combine(full, file), $"{LibrdkafkaSearch.PackageId} {search.PackageVersion}, {origin}"));
                }
            }
        }

        if (search.AllowSystemLibrary && platform.SystemLibraryName is { } systemName)
        {
            candidates.Add(new LibrdkafkaCandidate(systemName, SystemOrigin));
        }

        return candidates;
    }
}

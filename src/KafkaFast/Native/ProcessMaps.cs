using System.Globalization;

namespace KafkaFast.Native;

/// <summary>
/// The files mapped into this process, from Linux's <c>/proc/self/maps</c>: the ground truth for which native
/// library the process really runs (a loader's own bookkeeping can be wrong, another library can load its own).
/// </summary>
internal static class ProcessMaps
{
    private const string MapsFile = "/proc/self/maps";

    /// <summary>Whether this OS exposes the process's mappings (Linux).</summary>
    internal static bool IsSupported => OperatingSystem.IsLinux() && File.Exists(MapsFile);

    /// <summary>The distinct mapped files whose name matches, in address order; empty where unsupported.</summary>
    internal static IReadOnlyList<string> Files(Func<string, bool> fileNameMatches)
    {
        var files = new List<string>();
        foreach (Mapping mapping in Read())
        {
            if (fileNameMatches(Path.GetFileName(mapping.File)) && !files.Contains(mapping.File))
            {
                files.Add(mapping.File);
            }
        }

        return files;
    }

    /// <summary>The file mapped at <paramref name="address"/> (e.g. a function's), or null.</summary>
    internal static string? FileContaining(nint address)
    {
        ulong target = (ulong)address;
        foreach (Mapping mapping in Read())
        {
            if (target >= mapping.Start && target < mapping.End)
            {
                return mapping.File;
            }
        }

        return null;
    }

    /// <summary>File-backed mappings. A line is "start-end perms offset dev inode   path"; the path may hold spaces.</summary>
    private static IEnumerable<Mapping> Read()
    {
        if (!IsSupported)
        {
            yield break;
        }

        foreach (string line in File.ReadLines(MapsFile))
        {
            string[] fields = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 6 || !fields[5].StartsWith('/'))
            {
                continue; // anonymous, [heap], [stack], [vdso]...
            }

            int dash = fields[0].IndexOf('-', StringComparison.Ordinal);
            if (dash < 0
                || !ulong.TryParse(fields[0].AsSpan(0, dash), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out ulong start)
                || !ulong.TryParse(fields[0].AsSpan(dash + 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out ulong end))
            {
                continue;
            }

            string file = fields[5].Trim();
            const string Deleted = " (deleted)";
            if (file.EndsWith(Deleted, StringComparison.Ordinal))
            {
                file = file[..^Deleted.Length];
            }

            yield return new Mapping(start, end, file);
        }
    }

    private readonly record struct Mapping(ulong Start, ulong End, string File);
}

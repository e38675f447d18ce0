using KafkaFast.Native;

namespace KafkaFast.Tool;

/// <summary>Which librdkafka the tool runs, for <c>--version</c> and the demo's footer: the loader's choice and the process's mappings.</summary>
internal static class LibrdkafkaReport
{
    /// <summary>
    /// "librdkafka 2.16.0 /…/centos8-librdkafka.so (where it was found); the only librdkafka file mapped by this
    /// process". Throws <see cref="DllNotFoundException"/> (every file tried, and why) when none is acceptable.
    /// </summary>
    internal static string Line()
    {
        string line = LibrdkafkaLibrary.Description;
        if (!LibrdkafkaLibrary.TryGetMappedFiles(out IReadOnlyList<string> files))
        {
            return line;
        }

        return files.Count == 1 && files[0] == LibrdkafkaLibrary.LoadedPath
            ? line + "; the only librdkafka file mapped by this process"
            : line + $"; librdkafka files mapped by this process: {string.Join(", ", files)}";
    }
}

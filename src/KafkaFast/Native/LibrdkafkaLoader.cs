using System.Text;

namespace KafkaFast.Native;

/// <summary>
/// Tries candidates in order and keeps the first that loads and is at least the minimum version; an older one is
/// released and refused. When none qualifies, the error lists every candidate with the reason it failed.
/// </summary>
internal static class LibrdkafkaLoader
{
    internal static LoadedLibrdkafka Load(IReadOnlyList<LibrdkafkaCandidate> candidates, Version minimum, INativeLibraryOpener opener, string platform)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        ArgumentNullException.ThrowIfNull(minimum);
        ArgumentNullException.ThrowIfNull(opener);

        var rejected = new List<string>();
        foreach (LibrdkafkaCandidate candidate in candidates)
        {
            if (!opener.Exists(candidate))
            {
                rejected.Add($"{candidate}: no such file");
                continue;
            }

            nint handle;
            try
            {
                handle = opener.Open(candidate.Path);
            }
            catch (Exception e) when (e is DllNotFoundException or BadImageFormatException)
            {
                rejected.Add($"{candidate}: does not load: {OneLine(e.Message)}");
                continue;
            }

            (int Number, string Text)? version = opener.ReadVersion(handle);
            if (version is not { } found)
            {
                opener.Close(handle);
                rejected.Add($"{candidate}: not librdkafka (no rd_kafka_version export)");
                continue;
            }

            Version loaded = FromNumber(found.Number);
            if (loaded < minimum)
            {
                opener.Close(handle);
                rejected.Add($"{candidate}: librdkafka {found.Text} is older than {minimum.ToString(3)}, the version KafkaFast is built against");
                continue;
            }

            return new LoadedLibrdkafka(handle, opener.MappedFile(handle) ?? candidate.Path, candidate, loaded, found.Text, rejected);
        }

        throw new DllNotFoundException(Describe(candidates, rejected, minimum, platform));
    }

    /// <summary>rd_kafka_version()'s 0xMMmmrrxx (xx: pre-release id, 0xff for a release) as major.minor.revision.</summary>
    internal static Version FromNumber(int number) =>
        new((number >> 24) & 0xff, (number >> 16) & 0xff, (number >> 8) & 0xff);

    private static string Describe(IReadOnlyList<LibrdkafkaCandidate> candidates, List<string> rejected, Version minimum, string platform)
    {
        var message = new StringBuilder($"KafkaFast could not load librdkafka {minimum.ToString(3)} or newer on {platform}.");
        if (candidates.Count == 0)
        {
            message.Append(" librdkafka.redist has no build for this platform and no file was named.");
        }
        else
        {
            message.Append(" Tried, in order:");
            for (int i = 0; i < rejected.Count; i++)
            {
                message.Append("\n  ").Append(i + 1).Append(". ").Append(rejected[i]);
            }
        }

        bool overridden = candidates.Count == 1 && candidates[0].Origin == LibrdkafkaCandidates.OverrideOrigin;
        message.Append(overridden
            ? "\nThe file was named explicitly (KafkaFast.Native.LibrdkafkaLibrary.OverridePath or KAFKAFAST_LIBRDKAFKA_PATH): name a librdkafka "
              + $"{minimum.ToString(3)}+ file, or unset it to use the one in the librdkafka.redist package."
            : $"\nName a librdkafka {minimum.ToString(3)}+ file with KafkaFast.Native.LibrdkafkaLibrary.OverridePath or KAFKAFAST_LIBRDKAFKA_PATH, "
              + "or allow the system's with KafkaFast.Native.LibrdkafkaLibrary.AllowSystemLibrary or KAFKAFAST_LIBRDKAFKA_ALLOW_SYSTEM=1.");
        return message.ToString();
    }

    private static string OneLine(string text) => text.ReplaceLineEndings(" ").Trim();
}

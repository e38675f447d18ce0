namespace KafkaFast.Native;

/// <summary>The librdkafka this process loaded, and how it was found.</summary>
/// <param name="Handle">The OS handle P/Invokes bind to.</param>
/// <param name="Path">The file mapped into the process (links and search paths resolved), or the candidate when the OS cannot tell.</param>
/// <param name="Candidate">The candidate that loaded.</param>
/// <param name="Version">rd_kafka_version() as major.minor.revision.</param>
/// <param name="VersionText">rd_kafka_version_str(), e.g. "2.16.0".</param>
/// <param name="Rejected">Candidates tried before it, each with the reason it was not used.</param>
internal sealed record LoadedLibrdkafka(
    nint Handle, string Path, LibrdkafkaCandidate Candidate, Version Version, string VersionText, IReadOnlyList<string> Rejected);

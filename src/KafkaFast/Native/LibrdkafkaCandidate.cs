namespace KafkaFast.Native;

/// <summary>One file (or, for the system search path, one bare name) to try loading, and why it is on the list.</summary>
/// <param name="Path">An absolute path, or a bare file name for the OS search path.</param>
/// <param name="Origin">Where it comes from, for logs and errors ("librdkafka.redist in the app's runtimes folder").</param>
internal sealed record LibrdkafkaCandidate(string Path, string Origin)
{
    /// <summary>True for a bare name the OS resolves on its search path (the system's librdkafka).</summary>
    internal bool IsSystemSearch => !System.IO.Path.IsPathRooted(Path);

    /// <inheritdoc/>
    public override string ToString() => $"{Path} ({Origin})";
}

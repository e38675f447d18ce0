namespace KafkaFast.Native;

/// <summary>
/// The OS operations <see cref="LibrdkafkaLoader"/> needs, behind an interface so the loader's decisions (what to
/// try, what to refuse, what to report) are tested with fakes; <see cref="SystemNativeLibraryOpener"/> is the real one.
/// </summary>
internal interface INativeLibraryOpener
{
    /// <summary>Whether the file exists (a bare name for the search path always "exists": the OS decides).</summary>
    bool Exists(LibrdkafkaCandidate candidate);

    /// <summary>Loads the library; throws <see cref="DllNotFoundException"/> or <see cref="BadImageFormatException"/> with the OS's reason.</summary>
    nint Open(string pathOrName);

    /// <summary>rd_kafka_version() and rd_kafka_version_str(), or null when the library does not export them.</summary>
    (int Number, string Text)? ReadVersion(nint handle);

    /// <summary>The file the OS actually mapped for <paramref name="handle"/> (resolves search paths and links), or null.</summary>
    string? MappedFile(nint handle);

    /// <summary>Releases a library that was opened and then refused.</summary>
    void Close(nint handle);
}

using System.Runtime.InteropServices;

namespace KafkaFast.Native;

/// <summary>The real <see cref="INativeLibraryOpener"/>: <see cref="NativeLibrary"/> and the process's mappings.</summary>
internal sealed unsafe class SystemNativeLibraryOpener : INativeLibraryOpener
{
    internal static SystemNativeLibraryOpener Instance { get; } = new();

    public bool Exists(LibrdkafkaCandidate candidate) => candidate.IsSystemSearch || File.Exists(candidate.Path);

    // The path overload: no name variations, no probing. On Windows the runtime loads an absolute path with
    // LOAD_WITH_ALTERED_SEARCH_PATH, so librdkafka.dll's dependencies (libssl, zstd...) come from its own folder.
    public nint Open(string pathOrName) => NativeLibrary.Load(pathOrName);

    public (int Number, string Text)? ReadVersion(nint handle)
    {
        if (!NativeLibrary.TryGetExport(handle, "rd_kafka_version", out nint version)
            || !NativeLibrary.TryGetExport(handle, "rd_kafka_version_str", out nint versionStr))
        {
            return null;
        }

        int number = ((delegate* unmanaged<int>)version)();
        string text = Marshal.PtrToStringUTF8((nint)((delegate* unmanaged<byte*>)versionStr)()) ?? "";
        return (number, text);
    }

    public string? MappedFile(nint handle) =>
        NativeLibrary.TryGetExport(handle, "rd_kafka_version", out nint export) ? ProcessMaps.FileContaining(export) : null;

    public void Close(nint handle) => NativeLibrary.Free(handle);
}

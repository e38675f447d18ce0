using System.Runtime.InteropServices;
using KafkaFast.Native;

namespace KafkaFast.Tests.Native;

/// <summary>
/// What the loader keeps, refuses and reports: with a fake opener (any platform, any version), then with real files
/// in a fake app folder (a broken librdkafka.so, the real centos8 build behind a link).
/// </summary>
public class LibrdkafkaLoaderTests
{
    private static readonly Version Minimum = new(2, 16, 0);
    private const int V2_16_0 = 0x021000ff;
    private const int V2_0_2 = 0x020002ff;

    [Fact]
    public void A_broken_generic_build_falls_through_to_centos8_and_the_system_copy_is_never_opened()
    {
        var opener = new FakeOpener
        {
            ["/app/runtimes/linux-x64/native/librdkafka.so"] = FakeLibrary.Broken("libsasl2.so.3: cannot open shared object file: No such file or directory"),
            ["/app/runtimes/linux-x64/native/centos8-librdkafka.so"] = FakeLibrary.Version(V2_16_0, "2.16.0"),
            ["librdkafka.so.1"] = FakeLibrary.Version(V2_16_0, "2.16.0"), // would load, but is not a candidate
        };

        LoadedLibrdkafka loaded = LibrdkafkaLoader.Load(LinuxCandidates(allowSystem: false), Minimum, opener, "linux-x64");

        Assert.Equal("/app/runtimes/linux-x64/native/centos8-librdkafka.so", loaded.Path);
        Assert.Equal(new Version(2, 16, 0), loaded.Version);
        Assert.Equal("2.16.0", loaded.VersionText);
        Assert.DoesNotContain("librdkafka.so.1", opener.Opened);
        string rejected = Assert.Single(loaded.Rejected);
        Assert.Contains("/app/runtimes/linux-x64/native/librdkafka.so", rejected, StringComparison.Ordinal);
        Assert.Contains("libsasl2.so.3", rejected, StringComparison.Ordinal);
        Assert.Empty(opener.Closed);
    }

    [Fact]
    public void An_old_library_is_refused_with_its_file_its_version_and_every_candidate_with_its_reason()
    {
        var opener = new FakeOpener
        {
            ["/app/runtimes/linux-x64/native/librdkafka.so"] = FakeLibrary.Broken("libsasl2.so.3: cannot open shared object file"),
            ["/app/runtimes/linux-x64/native/centos8-librdkafka.so"] = FakeLibrary.NotLibrdkafka(),
            ["librdkafka.so.1"] = FakeLibrary.Version(V2_0_2, "2.0.2"),
        };

        var e = Assert.Throws<DllNotFoundException>(() => LibrdkafkaLoader.Load(LinuxCandidates(allowSystem: true), Minimum, opener, "linux-x64"));

        string[] lines = e.Message.Split('\n');
        Assert.StartsWith("KafkaFast could not load librdkafka 2.16.0 or newer on linux-x64. Tried, in order:", lines[0], StringComparison.Ordinal);
        Assert.Equal("  1. /app/runtimes/linux-x64/native/librdkafka.so (test): does not load: libsasl2.so.3: cannot open shared object file", lines[1]);
        Assert.Equal("  2. /app/runtimes/linux-x64/native/centos8-librdkafka.so (test): not librdkafka (no rd_kafka_version export)", lines[2]);
        Assert.Equal("  3. /app/librdkafka.so (test): no such file", lines[3]);
        Assert.Equal("  4. librdkafka.so.1 (system search path (opted in)): librdkafka 2.0.2 is older than 2.16.0, the version KafkaFast is built against", lines[4]);
        Assert.Contains("KAFKAFAST_LIBRDKAFKA_PATH", lines[5], StringComparison.Ordinal);
        Assert.Equal(6, lines.Length);
        // Both libraries that were opened and refused were released: nothing of them stays mapped.
        Assert.Equal(2, opener.Closed.Count);
    }

    [Fact]
    public void A_refused_override_does_not_fall_back_to_another_file()
    {
        var opener = new FakeOpener
        {
            ["/usr/lib/x86_64-linux-gnu/librdkafka.so.1"] = FakeLibrary.Version(V2_0_2, "2.0.2"),
        };
        var search = new LibrdkafkaSearch(new NativePlatform(NativeOs.Linux, Architecture.X64), "/app", null, [], ["/nuget"], "2.16.0",
            OverridePath: "/usr/lib/x86_64-linux-gnu/librdkafka.so.1", AllowSystemLibrary: false);

        var e = Assert.Throws<DllNotFoundException>(() => LibrdkafkaLoader.Load(LibrdkafkaCandidates.For(search), Minimum, opener, "linux-x64"));

        Assert.Contains("1. /usr/lib/x86_64-linux-gnu/librdkafka.so.1 (override): librdkafka 2.0.2 is older than 2.16.0", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("2. ", e.Message, StringComparison.Ordinal);
        Assert.Contains("named explicitly", e.Message, StringComparison.Ordinal);
        Assert.Equal(["/usr/lib/x86_64-linux-gnu/librdkafka.so.1"], opener.Opened);
    }

    [Fact]
    public void A_platform_without_a_build_says_so()
    {
        var e = Assert.Throws<DllNotFoundException>(() => LibrdkafkaLoader.Load([], Minimum, new FakeOpener(), "linux-riscv64"));
        Assert.Contains("librdkafka 2.16.0 or newer on linux-riscv64", e.Message, StringComparison.Ordinal);
        Assert.Contains("no build for this platform", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0x021000ff, "2.16.0")]
    [InlineData(0x020002ff, "2.0.2")]
    [InlineData(0x0211010a, "2.17.1")]
    public void Version_numbers_are_decoded(int number, string expected) =>
        Assert.Equal(Version.Parse(expected), LibrdkafkaLoader.FromNumber(number));

    [Fact]
    public void Real_files_a_broken_generic_build_in_a_fake_app_folder_falls_through_to_centos8()
    {
        using var app = new FakeAppFolder();
        app.Write("runtimes/linux-x64/native/librdkafka.so", "not a shared library");
        app.LinkToLoadedLibrary("runtimes/linux-x64/native/centos8-librdkafka.so");
        var search = new LibrdkafkaSearch(new NativePlatform(NativeOs.Linux, Architecture.X64), app.Root, null, [], [], "2.16.0", null, false);

        LoadedLibrdkafka loaded = LibrdkafkaLoader.Load(LibrdkafkaCandidates.For(search), Minimum, SystemNativeLibraryOpener.Instance, "linux-x64");
        try
        {
            Assert.Equal(Path.Combine(app.Root, "runtimes/linux-x64/native/centos8-librdkafka.so"), loaded.Candidate.Path);
            Assert.Equal(LibrdkafkaLibrary.LoadedPath, loaded.Path); // the link resolved: the file the process really maps
            Assert.True(loaded.Version >= Minimum);
            Assert.Contains("runtimes/linux-x64/native/librdkafka.so (librdkafka.redist 2.16.0, app runtimes folder): does not load", loaded.Rejected[0], StringComparison.Ordinal);
        }
        finally
        {
            NativeLibrary.Free(loaded.Handle);
        }
    }

    [Fact]
    public void Real_files_a_library_older_than_required_is_refused_and_released()
    {
        using var app = new FakeAppFolder();
        app.LinkToLoadedLibrary("librdkafka.so");
        var search = new LibrdkafkaSearch(new NativePlatform(NativeOs.Linux, Architecture.X64), app.Root, null, [], [], "2.16.0",
            OverridePath: "librdkafka.so", AllowSystemLibrary: false);
        var future = new Version(99, 0, 0);

        var e = Assert.Throws<DllNotFoundException>(() => LibrdkafkaLoader.Load(LibrdkafkaCandidates.For(search), future, SystemNativeLibraryOpener.Instance, "test"));

        Assert.Contains($"1. {Path.Combine(app.Root, "librdkafka.so")} (override): librdkafka {LibrdkafkaLibrary.LoadedVersion.ToString(3)} is older than 99.0.0", e.Message, StringComparison.Ordinal);
    }

    private static LibrdkafkaCandidate[] LinuxCandidates(bool allowSystem)
    {
        LibrdkafkaCandidate[] package =
        [
            new("/app/runtimes/linux-x64/native/librdkafka.so", "test"),
            new("/app/runtimes/linux-x64/native/centos8-librdkafka.so", "test"),
            new("/app/librdkafka.so", "test"),
        ];
        return allowSystem ? [.. package, new("librdkafka.so.1", LibrdkafkaCandidates.SystemOrigin)] : package;
    }

    /// <summary>A library as the fake opener sees it: fails to load, loads without librdkafka's exports, or has a version.</summary>
    private sealed record FakeLibrary(string? LoadError, (int, string)? VersionInfo)
    {
        internal static FakeLibrary Broken(string error) => new(error, null);
        internal static FakeLibrary NotLibrdkafka() => new(null, null);
        internal static FakeLibrary Version(int number, string text) => new(null, (number, text));
    }

    /// <summary>Files by path; records what was opened and closed. Handles are 1-based indexes into <see cref="Opened"/>.</summary>
    private sealed class FakeOpener : Dictionary<string, FakeLibrary>, INativeLibraryOpener
    {
        internal List<string> Opened { get; } = [];
        internal List<nint> Closed { get; } = [];

        public bool Exists(LibrdkafkaCandidate candidate) => ContainsKey(candidate.Path);

        public nint Open(string pathOrName)
        {
            if (this[pathOrName].LoadError is { } error)
            {
                throw new DllNotFoundException(error);
            }

            Opened.Add(pathOrName);
            return Opened.Count;
        }

        public (int Number, string Text)? ReadVersion(nint handle) => this[Opened[(int)handle - 1]].VersionInfo;

        public string? MappedFile(nint handle) => Opened[(int)handle - 1];

        public void Close(nint handle) => Closed.Add(handle);
    }

    /// <summary>A temporary app folder; its files are deleted with it.</summary>
    private sealed class FakeAppFolder : IDisposable
    {
        internal string Root { get; } = Directory.CreateTempSubdirectory("kafkafast-loader-").FullName;

        internal void Write(string relative, string text)
        {
            string path = Path.Combine(Root, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, text);
        }

        /// <summary>A symbolic link to the library this process already runs: dlopen recognizes the same file, nothing new is mapped.</summary>
        internal void LinkToLoadedLibrary(string relative)
        {
            string path = Path.Combine(Root, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.CreateSymbolicLink(path, LibrdkafkaLibrary.LoadedPath);
        }

        public void Dispose() => Directory.Delete(Root, recursive: true);
    }
}

using System.Runtime.InteropServices;
using KafkaFast.Native;

namespace KafkaFast.Tests.Native;

/// <summary>The candidate list is a pure function of the search inputs: its order per platform, checked without loading anything.</summary>
public class LibrdkafkaCandidatesTests
{
    private const string App = "/srv/app";
    private const string NuGet = "/home/u/.nuget/packages";

    private static readonly NativePlatform LinuxX64 = new(NativeOs.Linux, Architecture.X64);

    private static LibrdkafkaSearch Search(NativePlatform platform, string? overridePath = null, bool allowSystem = false, string[]? deps = null) =>
        new(platform, App, AssemblyDirectory: null, deps ?? [], [NuGet], "2.16.0", overridePath, allowSystem);

    private static string[] Paths(LibrdkafkaSearch search) => LibrdkafkaCandidates.For(search).Select(c => c.Path).ToArray();

    [Fact]
    public void Linux_x64_glibc_tries_generic_then_centos8_in_app_folders_then_the_NuGet_package_and_never_the_system()
    {
        Assert.Equal(
            [
                "/srv/app/runtimes/linux-x64/native/librdkafka.so",
                "/srv/app/runtimes/linux-x64/native/centos8-librdkafka.so",
                "/srv/app/librdkafka.so",
                "/srv/app/centos8-librdkafka.so",
                "/home/u/.nuget/packages/librdkafka.redist/2.16.0/runtimes/linux-x64/native/librdkafka.so",
                "/home/u/.nuget/packages/librdkafka.redist/2.16.0/runtimes/linux-x64/native/centos8-librdkafka.so",
            ],
            Paths(Search(LinuxX64)));
    }

    [Fact]
    public void Every_default_candidate_is_an_absolute_path_so_the_OS_search_path_is_never_consulted()
    {
        foreach (NativePlatform platform in AllPlatforms())
        {
            Assert.All(LibrdkafkaCandidates.For(Search(platform)), c =>
            {
                Assert.True(Path.IsPathRooted(c.Path), $"{platform}: {c}");
                Assert.False(c.IsSystemSearch);
            });
        }
    }

    [Fact]
    public void Deps_file_folders_come_first_and_a_folder_is_listed_once()
    {
        string[] paths = Paths(Search(LinuxX64, deps: ["/srv/app/", "/srv/app/runtimes/linux-x64/native"]));
        Assert.Equal(
            [
                "/srv/app/librdkafka.so",
                "/srv/app/centos8-librdkafka.so",
                "/srv/app/runtimes/linux-x64/native/librdkafka.so",
                "/srv/app/runtimes/linux-x64/native/centos8-librdkafka.so",
                "/home/u/.nuget/packages/librdkafka.redist/2.16.0/runtimes/linux-x64/native/librdkafka.so",
                "/home/u/.nuget/packages/librdkafka.redist/2.16.0/runtimes/linux-x64/native/centos8-librdkafka.so",
            ],
            paths);
    }

    [Theory]
    [InlineData("Linux", Architecture.X64, true, "linux-x64", "alpine-librdkafka.so")]
    [InlineData("Linux", Architecture.Arm64, false, "linux-arm64", "librdkafka.so")]
    [InlineData("Linux", Architecture.Arm64, true, "linux-arm64", "alpine-librdkafka.so")]
    [InlineData("MacOS", Architecture.X64, false, "osx-x64", "librdkafka.dylib")]
    [InlineData("MacOS", Architecture.Arm64, false, "osx-arm64", "librdkafka.dylib")]
    [InlineData("Windows", Architecture.X64, false, "win-x64", "librdkafka.dll")]
    [InlineData("Windows", Architecture.X86, false, "win-x86", "librdkafka.dll")]
    public void Other_platforms_try_only_their_own_build(string os, Architecture architecture, bool musl, string rid, string file)
    {
        Assert.Equal(
            [
                $"/srv/app/runtimes/{rid}/native/{file}",
                $"/srv/app/{file}",
                $"/home/u/.nuget/packages/librdkafka.redist/2.16.0/runtimes/{rid}/native/{file}",
            ],
            Paths(Search(new NativePlatform(Enum.Parse<NativeOs>(os), architecture, musl))));
    }

    [Fact]
    public void A_platform_without_a_build_has_no_candidates_unless_the_system_is_allowed()
    {
        var riscv = new NativePlatform(NativeOs.Linux, Architecture.RiscV64);
        Assert.Empty(Paths(Search(riscv)));
        Assert.Equal(["librdkafka.so.1"], Paths(Search(riscv, allowSystem: true)));
    }

    [Fact]
    public void The_system_library_is_tried_only_when_allowed_and_only_after_every_package_file()
    {
        IReadOnlyList<LibrdkafkaCandidate> candidates = LibrdkafkaCandidates.For(Search(LinuxX64, allowSystem: true));
        Assert.Equal(7, candidates.Count);
        Assert.Equal("librdkafka.so.1", candidates[^1].Path);
        Assert.True(candidates[^1].IsSystemSearch);
        Assert.Equal(LibrdkafkaCandidates.SystemOrigin, candidates[^1].Origin);
        Assert.All(candidates.SkipLast(1), c => Assert.False(c.IsSystemSearch));

        Assert.Equal("librdkafka.1.dylib", LibrdkafkaCandidates.For(Search(new NativePlatform(NativeOs.MacOS, Architecture.Arm64), allowSystem: true))[^1].Path);
        Assert.Equal("librdkafka.dll", LibrdkafkaCandidates.For(Search(new NativePlatform(NativeOs.Windows, Architecture.X64), allowSystem: true))[^1].Path);
    }

    [Fact]
    public void An_override_is_the_only_candidate_and_a_relative_one_is_relative_to_the_app_folder()
    {
        Assert.Equal(["/opt/kafka/lib/librdkafka.so.1"], Paths(Search(LinuxX64, overridePath: "/opt/kafka/lib/librdkafka.so.1", allowSystem: true)));
        Assert.Equal(["/srv/app/native/librdkafka.so"], Paths(Search(LinuxX64, overridePath: "native/librdkafka.so")));
        Assert.Equal(LibrdkafkaCandidates.OverrideOrigin, LibrdkafkaCandidates.For(Search(LinuxX64, overridePath: "/x.so"))[0].Origin);
    }

    [Fact]
    public void Origins_say_where_each_candidate_comes_from()
    {
        IReadOnlyList<LibrdkafkaCandidate> candidates = LibrdkafkaCandidates.For(
            new LibrdkafkaSearch(LinuxX64, App, "/plugins/kafka", [], [NuGet], "2.16.0", null, false));
        Assert.Equal("librdkafka.redist 2.16.0, app runtimes folder", candidates[0].Origin);
        Assert.Equal("librdkafka.redist 2.16.0, app folder", candidates[2].Origin);
        Assert.Equal("/plugins/kafka/runtimes/linux-x64/native/librdkafka.so", candidates[4].Path);
        Assert.Equal("librdkafka.redist 2.16.0, KafkaFast.dll's runtimes folder", candidates[4].Origin);
        Assert.Equal("librdkafka.redist 2.16.0, NuGet package folder", candidates[^1].Origin);
    }

    [Fact]
    public void This_process_is_detected_as_the_platform_it_runs_on()
    {
        NativePlatform current = NativePlatform.Current;
        Assert.Equal(RuntimeInformation.ProcessArchitecture, current.Architecture);
        Assert.Equal(OperatingSystem.IsLinux(), current.Os == NativeOs.Linux);
        Assert.Equal(RuntimeInformation.RuntimeIdentifier.Contains("musl", StringComparison.Ordinal), current.IsMusl);
    }

    private static IEnumerable<NativePlatform> AllPlatforms()
    {
        foreach (NativeOs os in Enum.GetValues<NativeOs>())
        {
            foreach (Architecture architecture in Enum.GetValues<Architecture>())
            {
                yield return new NativePlatform(os, architecture, IsMusl: false);
                yield return new NativePlatform(os, architecture, IsMusl: true);
            }
        }
    }
}

using System.Diagnostics;
using KafkaFast.Native;

namespace KafkaFast.Benchmarks.Matrix;

/// <summary>
/// Builds bench/raw-c/producer.c with gcc (when gcc is on PATH) against the librdkafka.redist headers copied next to
/// the program, and links it to the very file KafkaFast loaded: a private folder holds a link named after the
/// library's SONAME (librdkafka.so.1) pointing at that file, and the executable's RPATH names that folder (DT_RPATH,
/// searched before LD_LIBRARY_PATH and the system folders, where Debian's 2.0.2 waits). ldd must resolve it there,
/// and every run reports the file it mapped (/proc/self/maps), which the runner compares with KafkaFast's.
/// </summary>
internal sealed class RawCProducer
{
    private RawCProducer(string executable, string library, string resolvedBy)
    {
        Executable = executable;
        Library = library;
        ResolvedBy = resolvedBy;
    }

    internal string Executable { get; }

    /// <summary>The librdkafka file the program loads (KafkaFast's).</summary>
    internal string Library { get; }

    /// <summary>ldd's line for librdkafka.</summary>
    internal string ResolvedBy { get; }

    /// <summary>Builds the program; null with <paramref name="note"/> saying why when it cannot (no gcc, no headers, a build error).</summary>
    internal static RawCProducer? TryBuild(out string note)
    {
        string root = Path.Combine(AppContext.BaseDirectory, "raw-c");
        string source = Path.Combine(root, "producer.c");
        string include = Path.Combine(root, "include");
        string? gcc = FindOnPath("gcc");
        if (gcc is null)
        {
            note = "gcc not found on PATH: the raw C librdkafka rows are skipped (apt-get install gcc to include them)";
            return null;
        }

        if (!File.Exists(source) || !File.Exists(Path.Combine(include, "librdkafka", "rdkafka.h")))
        {
            note = $"{source} or the librdkafka.redist headers under {include} are missing: the raw C rows are skipped";
            return null;
        }

        string library = LibrdkafkaLibrary.LoadedPath;
        string build = Path.Combine(root, "build");
        string libraryFolder = Path.Combine(build, "lib");
        Directory.CreateDirectory(libraryFolder);
        string link = Path.Combine(libraryFolder, "librdkafka.so.1");
        File.Delete(link);
        File.CreateSymbolicLink(link, library);
        string executable = Path.Combine(build, "producer");

        (int exit, string output) = RunTool(gcc,
            "-O2", "-Wall", "-Wextra", "-Werror", "-isystem", include, "-o", executable, source,
            "-L", libraryFolder, "-l:librdkafka.so.1", $"-Wl,-rpath,{libraryFolder}", "-Wl,--disable-new-dtags");
        if (exit != 0)
        {
            note = $"gcc failed ({exit}): the raw C rows are skipped:\n{output}";
            return null;
        }

        (int lddExit, string ldd) = RunTool(FindOnPath("ldd") ?? "ldd", executable);
        string line = ldd.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("librdkafka", StringComparison.Ordinal)) ?? "";
        string resolved = line.Split("=>", 2) is [_, var rest] ? rest.Trim().Split(' ')[0] : "";
        if (lddExit != 0 || resolved.Length == 0 || !SameFile(resolved, library))
        {
            note = $"the raw C producer would not load {library} (ldd: '{line}'): its rows are skipped";
            return null;
        }

        note = $"raw C producer built with {gcc}: ldd resolves {line} -> {library}";
        return new RawCProducer(executable, library, line);
    }

    /// <summary>The command line of one run.</summary>
    internal ProcessStartInfo StartInfo(MatrixRunSpec spec, string latencyFile)
    {
        var info = new ProcessStartInfo(Executable) { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string argument in new[]
        {
            "--bootstrap", spec.Bootstrap, "--topic", spec.Topic, "--messages", $"{spec.Messages}", "--warmup", $"{spec.Warmup}",
            "--rate", $"{spec.Rate}", "--sample-every", $"{spec.SampleEvery}", "--latency-file", latencyFile, "--timeout-s", $"{spec.TimeoutSeconds}",
        })
        {
            info.ArgumentList.Add(argument);
        }

        foreach ((string key, string value) in spec.Properties)
        {
            info.ArgumentList.Add("--prop");
            info.ArgumentList.Add($"{key}={value}");
        }

        return info;
    }

    /// <summary>Whether two paths name the same file once links are resolved.</summary>
    internal static bool SameFile(string a, string b) =>
        a.Length > 0 && b.Length > 0 && string.Equals(RealPath(a), RealPath(b), StringComparison.Ordinal);

    private static string RealPath(string path)
    {
        var file = new FileInfo(path);
        return file.Exists && file.ResolveLinkTarget(returnFinalTarget: true) is { } target ? Path.GetFullPath(target.FullName) : Path.GetFullPath(path);
    }

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, name)).FirstOrDefault(File.Exists);

    private static (int Exit, string Output) RunTool(string tool, params string[] arguments)
    {
        var info = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {tool}");
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(120_000))
        {
            process.Kill();
            return (-1, $"{tool} timed out");
        }

        return (process.ExitCode, stdout.Result + stderr.Result);
    }
}

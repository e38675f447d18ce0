using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using System.Runtime.InteropServices;

namespace KafkaFast.Benchmarks.Reporting;

/// <summary>What the numbers were measured on.</summary>
internal sealed record MachineInfo(
    int Processors, string CpuModel, long MemoryBytes, string Os, string Kernel, string Runtime, string Gc,
    string Librdkafka, string ConfluentVersion, string ConfluentLibrdkafka, IReadOnlyList<string> MappedLibrdkafka, string Commit, string LoadAverage)
{
    /// <summary>
    /// Which librdkafka each client runs. KafkaFast's file is the one holding the functions it calls; Confluent.Kafka
    /// (bound to the same file by tests/Shared/ConfluentLibrdkafka.cs) reports only a version, so the proof is the
    /// process's mappings: one librdkafka file mapped means both clients run it.
    /// </summary>
    internal string LibrdkafkaSummary =>
        $"KafkaFast: {Librdkafka}; Confluent.Kafka: librdkafka {ConfluentLibrdkafka}; librdkafka files mapped by the process (/proc/self/maps): "
        + (MappedLibrdkafka.Count == 1 ? $"{MappedLibrdkafka[0]} (one file: both clients run it)"
            : MappedLibrdkafka.Count == 0 ? "unknown (not Linux)"
            : $"{MappedLibrdkafka.Count} files, the clients do NOT run the same library: {string.Join(", ", MappedLibrdkafka)}");

    internal static MachineInfo Read()
    {
        string cpu = TryRead(() => File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()) ?? "unknown";
        long memory = TryRead(() => File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal)) is { } line
            ? long.Parse(line["MemTotal:".Length..].Trim().TrimEnd('B', 'k').Trim(), CultureInfo.InvariantCulture) * 1024
            : 0);
        string os = TryRead(() => File.ReadLines("/etc/os-release").FirstOrDefault(l => l.StartsWith("PRETTY_NAME=", StringComparison.Ordinal))?["PRETTY_NAME=".Length..].Trim('"')) ?? RuntimeInformation.OSDescription;
        string kernel = TryRead(() => File.ReadAllText("/proc/sys/kernel/osrelease").Trim()) ?? "unknown";
        string gc = $"{(GCSettings.IsServerGC ? "server" : "workstation")}, {(GCSettings.LatencyMode == GCLatencyMode.Batch ? "non-concurrent" : "concurrent")}";
        return new MachineInfo(
            Environment.ProcessorCount, cpu, memory, os, kernel, RuntimeInformation.FrameworkDescription, gc,
            KafkaFast.Native.LibrdkafkaLibrary.Description,
            typeof(Confluent.Kafka.IProducer<,>).Assembly.GetName().Version?.ToString(3) ?? "?",
            Confluent.Kafka.Library.VersionString, // Confluent.Kafka's first librdkafka call: it is loaded from here on
            KafkaFast.Native.LibrdkafkaLibrary.TryGetMappedFiles(out IReadOnlyList<string> mapped) ? mapped : [],
            GitCommit(), LoadAverageNow());
    }

    internal static string LoadAverageNow() => TryRead(() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3))) ?? "?";

    private static string GitCommit()
    {
        try
        {
            var info = new ProcessStartInfo("git") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = RepositoryRoot() };
            foreach (string argument in new[] { "log", "-1", "--format=%h %s" })
            {
                info.ArgumentList.Add(argument);
            }

            using var git = Process.Start(info);
            string output = git?.StandardOutput.ReadToEnd().Trim() ?? "";
            git?.WaitForExit();
            return output.Length > 0 ? output : "unknown";
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "unknown";
        }
    }

    /// <summary>The folder holding KafkaFast.slnx above the program (or the current directory).</summary>
    internal static string RepositoryRoot()
    {
        foreach (string start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "KafkaFast.slnx")))
                {
                    return dir.FullName;
                }
            }
        }

        return Environment.CurrentDirectory;
    }

    private static T? TryRead<T>(Func<T?> read)
    {
        try
        {
            return read();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return default;
        }
    }
}

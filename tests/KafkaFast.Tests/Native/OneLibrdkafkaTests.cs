using System.Text;
using KafkaFast.Mock;
using KafkaFast.Native;
using KafkaFast.Producer;
using KafkaFast.Tests.Support;
using Microsoft.Extensions.Logging;

namespace KafkaFast.Tests.Native;

/// <summary>
/// The process runs one librdkafka, the package's, whatever else the machine has installed (CI installs Debian's
/// 2.0.2): KafkaFast and Confluent.Kafka (pointed at it by tests/Shared/ConfluentLibrdkafka.cs) map the same file.
/// </summary>
public class OneLibrdkafkaTests
{
    [Fact]
    public async Task KafkaFast_and_Confluent_map_the_same_librdkafka_file_at_least_the_built_against_version()
    {
        using var cluster = new KafkaMockCluster(brokerCount: 1);
        await using (var producer = new KafkaProducer(Producers.Options(cluster)))
        {
            Assert.True(producer.TryProduce(producer.GetTopic("one-library"), "k"u8, "v"u8));
            await Producers.FlushOrFail(producer);
        }

        // Confluent.Kafka runs its own librdkafka calls: a consumer reads the message back.
        ReadBack.Message message = Assert.Single(ReadBack.All(cluster.BootstrapServers, "one-library", partitions: 4, expected: 1));
        Assert.Equal("v"u8.ToArray(), message.Value);

        Assert.True(LibrdkafkaLibrary.TryGetMappedFiles(out IReadOnlyList<string> mapped), "this test runs on Linux");
        string file = Assert.Single(mapped);
        Assert.Equal(LibrdkafkaLibrary.LoadedPath, file);
        Assert.False(file.StartsWith("/usr/", StringComparison.Ordinal) || file.StartsWith("/lib", StringComparison.Ordinal),
            $"the system's librdkafka was mapped: {file}");
        Assert.StartsWith(Path.Combine(AppContext.BaseDirectory, "runtimes"), file, StringComparison.Ordinal); // the package's, as the build laid it out

        Assert.True(LibrdkafkaLibrary.LoadedVersion >= new Version(2, 16, 0), LibrdkafkaLibrary.Description);
        Assert.Equal(LibrdkafkaLibrary.MinimumVersion, new Version(2, 16, 0));
        Assert.True(Confluent.Kafka.Library.Version >= 0x02100000, $"Confluent.Kafka runs librdkafka {Confluent.Kafka.Library.VersionString}");
        Assert.Equal(LibrdkafkaLibrary.LoadedVersion.ToString(3), Confluent.Kafka.Library.VersionString);
    }

    [Fact]
    public void The_loaded_library_is_described_in_one_line()
    {
        string description = LibrdkafkaLibrary.Description;
        Assert.StartsWith($"librdkafka {LibrdkafkaLibrary.LoadedVersion.ToString(3)} {LibrdkafkaLibrary.LoadedPath} (librdkafka.redist 2.16.0, ", description, StringComparison.Ordinal);
        Assert.True(LibrdkafkaLibrary.IsLoaded);
    }

    [Fact]
    public void Choosing_another_library_after_it_is_loaded_is_refused_naming_the_loaded_file()
    {
        LibrdkafkaLibrary.Load();
        var e = Assert.Throws<InvalidOperationException>(() => LibrdkafkaLibrary.OverridePath = "/opt/other/librdkafka.so");
        Assert.Contains(LibrdkafkaLibrary.LoadedPath, e.Message, StringComparison.Ordinal);
        Assert.Contains("before the first producer, consumer or cluster", e.Message, StringComparison.Ordinal);
        Assert.Null(LibrdkafkaLibrary.OverridePath);

        Assert.Throws<InvalidOperationException>(() => LibrdkafkaLibrary.AllowSystemLibrary = true);
        LibrdkafkaLibrary.AllowSystemLibrary = false; // unchanged: allowed
        Assert.False(LibrdkafkaLibrary.AllowSystemLibrary);
    }

    [Fact]
    public void Mapped_files_are_read_from_the_process()
    {
        Assert.True(LibrdkafkaLibrary.TryGetMappedFiles(out IReadOnlyList<string> mapped));
        string maps = File.ReadAllText("/proc/self/maps", Encoding.UTF8);
        Assert.All(mapped, file => Assert.Contains(file, maps, StringComparison.Ordinal));
        Assert.Contains(LibrdkafkaLibrary.LoadedPath, mapped);
    }

    [Fact]
    public void The_loaded_library_is_logged_once_at_information()
    {
        LibrdkafkaLibrary.Load();
        var logger = new LinesLogger();
        int gate = 0;

        Assert.True(LibrdkafkaLibrary.LogLoadedOnce(logger, ref gate));
        Assert.False(LibrdkafkaLibrary.LogLoadedOnce(logger, ref gate));

        string line = Assert.Single(logger.Lines);
        Assert.StartsWith($"Information LibrdkafkaLoaded: Using librdkafka {LibrdkafkaLibrary.LoadedVersion.ToString(3)} from {LibrdkafkaLibrary.LoadedPath} (librdkafka.redist ", line, StringComparison.Ordinal);
    }

    private sealed class LinesLogger : ILogger
    {
        internal List<string> Lines { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Add($"{logLevel} {eventId.Name}: {formatter(state, exception)}");
    }
}

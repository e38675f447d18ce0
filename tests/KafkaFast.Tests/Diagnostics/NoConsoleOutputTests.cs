using KafkaFast.Admin;
using KafkaFast.Consumer;
using KafkaFast.Mock;
using KafkaFast.Producer;
using KafkaFast.Tests.Support;

namespace KafkaFast.Tests.Diagnostics;

/// <summary>
/// A library never writes to the console on its own: librdkafka's log lines (its default log callback prints to
/// stderr) go to the logger given, or nowhere. Checked with the scenario that printed: clients against a closed port.
/// </summary>
[Collection(SerialTests.Name)]
public sealed class NoConsoleOutputTests
{
    private const string ClosedPort = "127.0.0.1:1";
    private static readonly TimeSpan Run = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task The_capture_sees_what_native_code_writes_to_stdout_and_stderr()
    {
        string captured = await ConsoleCapture.RunAsync(() =>
        {
            ConsoleCapture.WriteNative(1, "out|");
            ConsoleCapture.WriteNative(2, "err");
            return Task.CompletedTask;
        });
        Assert.Equal("out|err", captured);
    }

    [Fact]
    public async Task Producer_consumer_admin_and_mock_cluster_without_a_logger_write_nothing_to_stdout_or_stderr()
    {
        int errorEvents = 0;
        string captured = await ConsoleCapture.RunAsync(async () =>
        {
            await using var producer = new KafkaProducer(new KafkaProducerOptions { BootstrapServers = ClosedPort, MetadataTimeout = Run });
            Task<KafkaTopic> topic = Task.Run(() => producer.GetTopic("unreachable"));

            using var handled = new KafkaConsumer(new KafkaConsumerOptions { BootstrapServers = ClosedPort, GroupId = "handled" });
            handled.Error += (_, _) => Interlocked.Increment(ref errorEvents);
            handled.Subscribe("unreachable");
            using var unhandled = new KafkaConsumer(new KafkaConsumerOptions { BootstrapServers = ClosedPort, GroupId = "unhandled" });
            unhandled.Subscribe("unreachable");

            using var admin = new KafkaAdminClient(new KafkaAdminClientOptions { BootstrapServers = ClosedPort, RequestTimeout = Run });
            Task<Exception?> metadata = Record.ExceptionAsync(() => admin.GetMetadataAsync());

            using (var cluster = new KafkaMockCluster(2))
            {
                cluster.CreateTopic("mock", 1);
                cluster.SetBrokerDown(2);
            }

            var until = DateTime.UtcNow + Run;
            while (DateTime.UtcNow < until)
            {
                using (handled.ConsumeBatch(100, TimeSpan.FromMilliseconds(100)))
                {
                }

                using (unhandled.ConsumeBatch(100, TimeSpan.FromMilliseconds(100)))
                {
                }
            }

            Assert.True((await topic.WaitAsync(TimeSpan.FromSeconds(30))).IsPending); // no answer within MetadataTimeout: pending, not an error
            Assert.NotNull(await metadata.WaitAsync(TimeSpan.FromSeconds(30)));
        });

        Assert.True(errorEvents > 0, "the consumer never reported the closed port: the scenario did not run");
        Assert.True(captured.Length == 0, $"written to the console: {captured[..Math.Min(captured.Length, 2000)]}");
    }

    [Fact]
    public async Task With_a_logger_factory_librdkafkas_log_lines_go_to_it()
    {
        var loggers = new CollectingLoggerFactory();
        string captured = await ConsoleCapture.RunAsync(async () =>
        {
            await using var producer = new KafkaProducer(new KafkaProducerOptions { BootstrapServers = ClosedPort, MetadataTimeout = Run }, loggers);
            Task<KafkaTopic> topic = Task.Run(() => producer.GetTopic("unreachable"));
            using var consumer = new KafkaConsumer(new KafkaConsumerOptions { BootstrapServers = ClosedPort, GroupId = "logged" }, loggers);
            consumer.Subscribe("unreachable");
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (!Logged("KafkaFast.Producer") || !Logged("KafkaFast.Consumer"))
            {
                Assert.True(DateTime.UtcNow < deadline, $"no librdkafka line about {ClosedPort} from both clients: {string.Join(Environment.NewLine, loggers.Lines)}");
                using (consumer.ConsumeBatch(100, TimeSpan.FromMilliseconds(100)))
                {
                }
            }

            await topic.WaitAsync(TimeSpan.FromSeconds(30));
        });

        Assert.True(captured.Length == 0, $"written to the console: {captured[..Math.Min(captured.Length, 2000)]}");

        bool Logged(string category) => loggers.Lines.Any(l => l.StartsWith(category, StringComparison.Ordinal) && l.Contains(ClosedPort, StringComparison.Ordinal));
    }
}

using System.Diagnostics;
using KafkaFast.Admin;
using KafkaFast.Mock;
using KafkaFast.Tests.Support;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using static KafkaFast.Tests.Admin.AdminTestSupport;
using TopicPartition = KafkaFast.TopicPartition;

namespace KafkaFast.Tests.Admin;

/// <summary>Requests hold no thread while in flight, end by cancellation, disposal or timeout, and errors reach the logger.</summary>
public class AdminClientLifetimeTests
{
    private static readonly TopicPartition[] s_partition = [new("admin-lifetime", 0)];

    [Fact(Timeout = 120_000)]
    public async Task A_cancelled_request_ends_at_once_and_its_late_result_is_dropped()
    {
        using var cluster = new KafkaMockCluster(brokerCount: 1);
        cluster.CreateTopic("admin-lifetime", 1);
        using KafkaAdminClient admin = Client(cluster.BootstrapServers, requestTimeout: TimeSpan.FromSeconds(3));
        using var cancel = new CancellationTokenSource();

        Task<IReadOnlyList<TopicDescription>> call = admin.DescribeTopicsAsync(["admin-lifetime"], cancel.Token); // waits for a controller the mock lacks
        Assert.Equal(1, admin.PendingRequests);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.WaitAsync(Patience));
        Assert.Equal(0, admin.PendingRequests);
        IReadOnlyList<ListedOffset> next = await admin.ListOffsetsAsync(s_partition, OffsetSpec.Latest).WaitAsync(Patience); // still serving
        Assert.Equal(0, Assert.Single(next).Offset);
    }

    [Fact(Timeout = 120_000)]
    public async Task Disposing_fails_requests_in_flight_and_refuses_new_ones()
    {
        using var cluster = new KafkaMockCluster(brokerCount: 1);
        cluster.CreateTopic("admin-lifetime", 1);
        var admin = Client(cluster.BootstrapServers, requestTimeout: TimeSpan.FromSeconds(30));
        Task call = admin.CreateTopicAsync("admin-lifetime-new", 1, 1);

        admin.Dispose();

        var error = await Assert.ThrowsAsync<KafkaAdminException>(() => call.WaitAsync(Patience));
        Assert.Equal(KafkaErrorCode.Destroy, error.Code);
        Assert.Contains("CreateTopics of topic 'admin-lifetime-new'", error.Message, StringComparison.Ordinal);
        Assert.Throws<ObjectDisposedException>(() => { _ = admin.ListOffsetsAsync(s_partition, OffsetSpec.Latest); });
        admin.Dispose(); // twice is fine
    }

    [Fact(Timeout = 120_000)]
    public async Task A_request_whose_client_was_dropped_still_completes()
    {
        Task call = StartAndDrop();
        for (int i = 0; i < 3; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }

        var error = await Assert.ThrowsAsync<KafkaAdminException>(() => call.WaitAsync(Patience));
        Assert.Equal(KafkaErrorCode.TimedOut, error.Code);

        static Task StartAndDrop() // the client is unreachable once this returns
        {
            var admin = Client("127.0.0.1:1", requestTimeout: TimeSpan.FromSeconds(2));
            return admin.ListOffsetsAsync([new TopicPartition("admin-dropped", 0)], OffsetSpec.Latest);
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task Client_errors_go_to_the_logger_not_the_console()
    {
        var logs = new FakeLogCollector();
        using var factory = LoggerFactory.Create(b => b.AddProvider(new FakeLoggerProvider(logs)).SetMinimumLevel(LogLevel.Debug));
        using var admin = new KafkaAdminClient(new KafkaAdminClientOptions { BootstrapServers = "127.0.0.1:1", RequestTimeout = TimeSpan.FromSeconds(2) }, factory);

        // A request makes librdkafka connect; the refused connection is reported as a client error and log lines.
        await Assert.ThrowsAsync<KafkaAdminException>(() => admin.ListOffsetsAsync([new TopicPartition("admin-logs", 0)], OffsetSpec.Latest).WaitAsync(Patience));
        var deadline = Stopwatch.StartNew();
        while (!logs.GetSnapshot().Any(r => r.Id.Name == "AdminClientError") && deadline.Elapsed < Patience)
        {
            await Task.Delay(50);
        }

        FakeLogRecord error = Assert.Single(logs.GetSnapshot().Where(r => r.Id.Name == "AdminClientError").Take(1));
        Assert.Equal("KafkaFast.Admin", error.Category);
        Assert.Contains("127.0.0.1:1", error.Message, StringComparison.Ordinal);
    }
}

/// <summary>Runs alone: it counts the process's threads.</summary>
[Collection(SerialTests.Name)]
public class AdminClientThreadTests
{
    [Fact(Timeout = 120_000)]
    public async Task Hundreds_of_requests_in_flight_hold_no_threads()
    {
        using var cluster = new KafkaMockCluster(brokerCount: 1);
        cluster.CreateTopic("admin-threads", 1);
        cluster.SetBrokerRoundTripTime(1, TimeSpan.FromSeconds(1));
        using KafkaAdminClient admin = Client(cluster.BootstrapServers);
        TopicPartition[] partition = [new("admin-threads", 0)];
        await admin.ListOffsetsAsync(partition, OffsetSpec.Latest).WaitAsync(Patience); // connected
        int threadsBefore = Process.GetCurrentProcess().Threads.Count;

        Task<IReadOnlyList<ListedOffset>>[] calls = [.. Enumerable.Range(0, 300).Select(_ => admin.ListOffsetsAsync(partition, OffsetSpec.Latest))];
        int pending = admin.PendingRequests;
        int threadsDuring = Process.GetCurrentProcess().Threads.Count;
        await Task.WhenAll(calls).WaitAsync(Patience);

        Assert.True(pending > 250, $"only {pending} of 300 requests were still in flight: the 1 s round trip should keep them waiting");
        Assert.True(threadsDuring - threadsBefore < 10, $"{threadsDuring - threadsBefore} threads appeared for 300 requests in flight");
        Assert.All(calls, c => Assert.Equal(0, Assert.Single(c.Result).Offset));
    }
}

using KafkaFast.Admin;
using KafkaFast.Mock;
using static KafkaFast.Tests.Admin.AdminTestSupport;

namespace KafkaFast.Tests.Admin;

/// <summary>
/// What the embedded cluster (librdkafka 2.16's mock brokers) cannot serve ends in a clear error, not a hang: it names no
/// controller (requests for the controller time out "waiting for controller"), and it has no ListGroups or
/// DescribeGroups handler (UnsupportedFeature at once). If a librdkafka update teaches the mock one of these, the test
/// fails and docs/ADMIN.md's table must change with it.
/// </summary>
public class AdminOnEmbeddedClusterLimitsTests
{
    public static TheoryData<string> ControllerRequests => ["CreateTopics", "DeleteTopics", "CreatePartitions", "DescribeTopics", "DescribeConfigs", "IncrementalAlterConfigs"];

    [Theory(Timeout = 120_000)]
    [MemberData(nameof(ControllerRequests))]
    public async Task Requests_for_the_controller_end_at_the_request_timeout_naming_the_topic_and_the_reason(string operation)
    {
        using var cluster = new KafkaMockCluster(brokerCount: 1);
        cluster.CreateTopic("admin-limits", partitions: 2);
        using KafkaAdminClient admin = Client(cluster.BootstrapServers, requestTimeout: TimeSpan.FromSeconds(1));

        Task call = operation switch
        {
            "CreateTopics" => admin.CreateTopicAsync("admin-limits-new", partitions: 3, replicationFactor: 1),
            "DeleteTopics" => admin.DeleteTopicsAsync(["admin-limits"]),
            "CreatePartitions" => admin.CreatePartitionsAsync("admin-limits", 4),
            "DescribeTopics" => admin.DescribeTopicsAsync(["admin-limits"]),
            "DescribeConfigs" => admin.DescribeConfigsAsync(ConfigResource.Topic("admin-limits")),
            _ => admin.IncrementalAlterConfigsAsync(ConfigResource.Topic("admin-limits"), [ConfigAlteration.Set("retention.ms", "60000")]),
        };
        var error = await Assert.ThrowsAsync<KafkaAdminException>(() => call.WaitAsync(Patience));

        Assert.Equal(operation, error.Operation);
        Assert.Equal(KafkaErrorCode.TimedOut, error.Code);
        Assert.StartsWith($"{operation} of topic 'admin-limits", error.Message, StringComparison.Ordinal);
        Assert.Contains("waiting for controller", error.Message, StringComparison.Ordinal);
        Assert.Contains("mock cluster has none", error.Message, StringComparison.Ordinal);
        Assert.Empty(error.Results);
        Assert.Equal(0, admin.PendingRequests);
    }

    [Fact(Timeout = 120_000)]
    public async Task Group_listing_and_description_fail_at_once_as_unsupported_naming_the_group()
    {
        using var cluster = new KafkaMockCluster(brokerCount: 2);
        using KafkaAdminClient admin = Client(cluster.BootstrapServers);

        var list = await Assert.ThrowsAsync<KafkaAdminException>(() => admin.ListConsumerGroupsAsync().WaitAsync(Patience));
        Assert.Equal(KafkaErrorCode.UnsupportedFeature, list.Code);
        Assert.StartsWith("ListConsumerGroups failed", list.Message, StringComparison.Ordinal);
        Assert.Contains("does not support ListConsumerGroups", list.Message, StringComparison.Ordinal);
        Assert.All(list.Results, r => Assert.Equal(KafkaErrorCode.UnsupportedFeature, r.Error));

        var describe = await Assert.ThrowsAsync<KafkaAdminException>(() => admin.DescribeConsumerGroupsAsync(["admin-payments"]).WaitAsync(Patience));
        Assert.Equal(KafkaErrorCode.UnsupportedFeature, describe.Code);
        Assert.Contains("'admin-payments': UnsupportedFeature", describe.Message, StringComparison.Ordinal);
        Assert.Equal("admin-payments", Assert.Single(describe.Results).Name);
    }
}

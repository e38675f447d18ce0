using KafkaFast.Admin;
using static KafkaFast.Tests.Admin.AdminTestSupport;
using TopicPartition = KafkaFast.TopicPartition;
using TopicPartitionOffset = KafkaFast.TopicPartitionOffset;

namespace KafkaFast.Tests.Admin;

/// <summary>Bad input throws at once, naming the problem, before anything reaches librdkafka.</summary>
public class AdminValidationTests
{
    public static TheoryData<string, Func<KafkaAdminClient, Task>, string> BadCalls => new()
    {
        { "no topics", a => a.DeleteTopicsAsync([]), "At least one topic" },
        { "bad name", a => a.DeleteTopicsAsync(["bad topic"]), "contains ' '" },
        { "duplicate topic", a => a.DeleteTopicsAsync(["t", "t"]), "Topic 't' is named twice" },
        { "zero partitions", a => a.CreateTopicAsync("t", partitions: 0), "partitions must be at least 1" },
        { "zero replication", a => a.CreateTopicAsync("t", 1, replicationFactor: 0), "replication factor must be at least 1" },
        { "config without value", a => a.CreateTopicsAsync([WithConfig("t", "retention.ms", null!)]), "config 'retention.ms' needs a name and a value" },
        { "partition count 0", a => a.CreatePartitionsAsync("t", 0), "totalCount" },
        { "empty group", a => a.ListConsumerGroupOffsetsAsync(""), "Group id is empty" },
        { "padded group", a => a.DescribeConsumerGroupsAsync([" g"]), "leading or trailing white space" },
        { "duplicate group", a => a.DescribeConsumerGroupsAsync(["g", "g"]), "Group 'g' is named twice" },
        { "negative partition", a => a.ListOffsetsAsync([new TopicPartition("t", -1)], OffsetSpec.Latest), "Partition of 't' must not be negative" },
        { "duplicate partition", a => a.ListOffsetsAsync([new TopicPartition("t", 1), new TopicPartition("t", 1)], OffsetSpec.Latest), "Partition 't [1]' is named twice" },
        { "logical offset", a => a.AlterConsumerGroupOffsetsAsync("g", [new TopicPartitionOffset("t", 0, KafkaOffset.End)]), "must be an absolute offset" },
        { "no alterations", a => a.IncrementalAlterConfigsAsync(ConfigResource.Topic("t"), []), "At least one alteration" },
        { "set without value", a => a.IncrementalAlterConfigsAsync(ConfigResource.Topic("t"), [new ConfigAlteration("x", null)]), "Config 'x': Set needs a value" },
        { "bad resource", a => a.DescribeConfigsAsync(new ConfigResource((ConfigResourceType)9, "x")), "Unknown resource type" },
        { "bad state", a => a.ListConsumerGroupsAsync([(ConsumerGroupState)42]), "Unknown consumer group state" },
    };

    [Theory]
    [MemberData(nameof(BadCalls))]
    public void Bad_arguments_throw_at_once_naming_the_problem(string why, Func<KafkaAdminClient, Task> call, string message)
    {
        using KafkaAdminClient admin = Client("127.0.0.1:1");
        var error = Assert.ThrowsAny<ArgumentException>(() => { _ = call(admin); }); // synchronously, before any task
        Assert.True(error.Message.Contains(message, StringComparison.Ordinal), $"{why}: {error.Message}");
        Assert.Equal(0, admin.PendingRequests);
    }

    [Fact]
    public void Bad_options_throw_naming_the_setting()
    {
        Assert.Contains("BootstrapServers is required", Assert.Throws<ArgumentException>(() => new KafkaAdminClient(new KafkaAdminClientOptions())).Message, StringComparison.Ordinal);
        Assert.Contains("RequestTimeout", Assert.Throws<ArgumentException>(() => new KafkaAdminClient(new KafkaAdminClientOptions { BootstrapServers = "b:9092", RequestTimeout = TimeSpan.Zero })).Message, StringComparison.Ordinal);

        var reserved = new KafkaAdminClientOptions { BootstrapServers = "b:9092" };
        reserved.Properties["log.queue"] = "false";
        Assert.Contains("Properties:log.queue is managed", Assert.Throws<ArgumentException>(() => new KafkaAdminClient(reserved)).Message, StringComparison.Ordinal);

        var secret = new KafkaAdminClientOptions { BootstrapServers = "b:9092" };
        secret.Properties["sasl.password"] = "hunter2";
        secret.Properties["no.such.property"] = "1";
        var error = Assert.Throws<ArgumentException>(() => new KafkaAdminClient(secret));
        Assert.Contains("no.such.property", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", secret.ToString(), StringComparison.Ordinal);
    }

    private static NewTopic WithConfig(string name, string key, string value)
    {
        var topic = new NewTopic(name, 1, 1);
        topic.Configs[key] = value;
        return topic;
    }
}

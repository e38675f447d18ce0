using System.Text.RegularExpressions;
using KafkaFast.Native;

namespace KafkaFast.Tests.Admin;

/// <summary>
/// The admin bindings match librdkafka 2.16's header, read from the librdkafka.redist package itself: the metadata
/// structs' x86_64 layouts, and every enum value and event type the admin client passes or compares.
/// </summary>
public unsafe partial class AdminNativeLayoutTests
{
    [Fact]
    public void Metadata_partition_and_broker_structs_match_the_x86_64_layout()
    {
        Assert.Equal(40, sizeof(RdKafkaMetadataPartition));
        RdKafkaMetadataPartition p = default;
        byte* b = (byte*)&p;
        Assert.Equal([0, 4, 8, 12, 16, 24, 32], new long[] { (byte*)&p.Id - b, (byte*)&p.Err - b, (byte*)&p.Leader - b, (byte*)&p.ReplicaCount - b, (byte*)&p.Replicas - b, (byte*)&p.IsrCount - b, (byte*)&p.Isrs - b });

        Assert.Equal(24, sizeof(RdKafkaMetadataBroker));
        RdKafkaMetadataBroker k = default;
        byte* kb = (byte*)&k;
        Assert.Equal([0, 8, 16], new long[] { (byte*)&k.Id - kb, (byte*)&k.Host - kb, (byte*)&k.Port - kb });
    }

    [Fact]
    public void Admin_constants_match_the_package_header()
    {
        string header = File.ReadAllText(HeaderPath());
        var expected = new Dictionary<string, long>
        {
            ["RD_KAFKA_ADMIN_OP_CREATETOPICS"] = LibRdKafka.AdminOpCreateTopics,
            ["RD_KAFKA_ADMIN_OP_DELETETOPICS"] = LibRdKafka.AdminOpDeleteTopics,
            ["RD_KAFKA_ADMIN_OP_CREATEPARTITIONS"] = LibRdKafka.AdminOpCreatePartitions,
            ["RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS"] = LibRdKafka.AdminOpDescribeConfigs,
            ["RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPS"] = LibRdKafka.AdminOpListConsumerGroups,
            ["RD_KAFKA_ADMIN_OP_DESCRIBECONSUMERGROUPS"] = LibRdKafka.AdminOpDescribeConsumerGroups,
            ["RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPOFFSETS"] = LibRdKafka.AdminOpListConsumerGroupOffsets,
            ["RD_KAFKA_ADMIN_OP_ALTERCONSUMERGROUPOFFSETS"] = LibRdKafka.AdminOpAlterConsumerGroupOffsets,
            ["RD_KAFKA_ADMIN_OP_INCREMENTALALTERCONFIGS"] = LibRdKafka.AdminOpIncrementalAlterConfigs,
            ["RD_KAFKA_ADMIN_OP_DESCRIBETOPICS"] = LibRdKafka.AdminOpDescribeTopics,
            ["RD_KAFKA_ADMIN_OP_LISTOFFSETS"] = LibRdKafka.AdminOpListOffsets,
            ["RD_KAFKA_EVENT_CREATETOPICS_RESULT"] = LibRdKafka.EventCreateTopicsResult,
            ["RD_KAFKA_EVENT_DELETETOPICS_RESULT"] = LibRdKafka.EventDeleteTopicsResult,
            ["RD_KAFKA_EVENT_CREATEPARTITIONS_RESULT"] = LibRdKafka.EventCreatePartitionsResult,
            ["RD_KAFKA_EVENT_DESCRIBECONFIGS_RESULT"] = LibRdKafka.EventDescribeConfigsResult,
            ["RD_KAFKA_EVENT_LISTCONSUMERGROUPS_RESULT"] = LibRdKafka.EventListConsumerGroupsResult,
            ["RD_KAFKA_EVENT_DESCRIBECONSUMERGROUPS_RESULT"] = LibRdKafka.EventDescribeConsumerGroupsResult,
            ["RD_KAFKA_EVENT_LISTCONSUMERGROUPOFFSETS_RESULT"] = LibRdKafka.EventListConsumerGroupOffsetsResult,
            ["RD_KAFKA_EVENT_ALTERCONSUMERGROUPOFFSETS_RESULT"] = LibRdKafka.EventAlterConsumerGroupOffsetsResult,
            ["RD_KAFKA_EVENT_INCREMENTALALTERCONFIGS_RESULT"] = LibRdKafka.EventIncrementalAlterConfigsResult,
            ["RD_KAFKA_EVENT_DESCRIBETOPICS_RESULT"] = LibRdKafka.EventDescribeTopicsResult,
            ["RD_KAFKA_EVENT_LISTOFFSETS_RESULT"] = LibRdKafka.EventListOffsetsResult,
            ["RD_KAFKA_EVENT_ERROR"] = LibRdKafka.EventTypeError,
            ["RD_KAFKA_EVENT_LOG"] = LibRdKafka.EventTypeLog,
            ["RD_KAFKA_RESOURCE_TOPIC"] = (long)KafkaFast.Admin.ConfigResourceType.Topic,
            ["RD_KAFKA_RESOURCE_GROUP"] = (long)KafkaFast.Admin.ConfigResourceType.Group,
            ["RD_KAFKA_RESOURCE_BROKER"] = (long)KafkaFast.Admin.ConfigResourceType.Broker,
            ["RD_KAFKA_ALTER_CONFIG_OP_TYPE_SET"] = (long)KafkaFast.Admin.ConfigAlterationType.Set,
            ["RD_KAFKA_ALTER_CONFIG_OP_TYPE_DELETE"] = (long)KafkaFast.Admin.ConfigAlterationType.Delete,
            ["RD_KAFKA_ALTER_CONFIG_OP_TYPE_APPEND"] = (long)KafkaFast.Admin.ConfigAlterationType.Append,
            ["RD_KAFKA_ALTER_CONFIG_OP_TYPE_SUBTRACT"] = (long)KafkaFast.Admin.ConfigAlterationType.Subtract,
            ["RD_KAFKA_CONSUMER_GROUP_STATE_STABLE"] = (long)KafkaFast.Admin.ConsumerGroupState.Stable,
            ["RD_KAFKA_CONSUMER_GROUP_STATE_EMPTY"] = (long)KafkaFast.Admin.ConsumerGroupState.Empty,
            ["RD_KAFKA_CONSUMER_GROUP_STATE_DEAD"] = (long)KafkaFast.Admin.ConsumerGroupState.Dead,
            ["RD_KAFKA_CONFIG_SOURCE_DYNAMIC_TOPIC_CONFIG"] = (long)KafkaFast.Admin.ConfigSource.DynamicTopic,
            ["RD_KAFKA_CONFIG_SOURCE_DEFAULT_CONFIG"] = (long)KafkaFast.Admin.ConfigSource.Default,
            ["RD_KAFKA_CONFIG_SOURCE_GROUP_CONFIG"] = (long)KafkaFast.Admin.ConfigSource.DynamicGroup,
            ["RD_KAFKA_OFFSET_SPEC_LATEST"] = -1,
            ["RD_KAFKA_OFFSET_SPEC_EARLIEST"] = -2,
            ["RD_KAFKA_OFFSET_SPEC_MAX_TIMESTAMP"] = -3,
        };
        Dictionary<string, long> actual = ReadConstants(header);

        Assert.All(expected, e => Assert.True(actual.TryGetValue(e.Key, out long value) && value == e.Value,
            $"{e.Key}: header {(actual.TryGetValue(e.Key, out long v) ? v.ToString(System.Globalization.CultureInfo.InvariantCulture) : "missing")}, bound {e.Value}"));
    }

    /// <summary>rdkafka.h of the package the build restored (NUGET_PACKAGES, else ~/.nuget/packages).</summary>
    private static string HeaderPath()
    {
        string root = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } packages
            ? packages
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        string path = Path.Combine(root, "librdkafka.redist", LibrdkafkaLibrary.MinimumVersion.ToString(3), "build", "native", "include", "librdkafka", "rdkafka.h");
        Assert.True(File.Exists(path), $"librdkafka's header is not at {path}");
        return path;
    }

    /// <summary>#define NAME value, and enum members (explicit "= value", or the previous one + 1).</summary>
    private static Dictionary<string, long> ReadConstants(string header)
    {
        var constants = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (Match define in DefinePattern().Matches(header))
        {
            constants[define.Groups[1].Value] = Convert.ToInt64(define.Groups[2].Value, define.Groups[2].Value.StartsWith("0x", StringComparison.Ordinal) ? 16 : 10);
        }

        foreach (Match body in EnumPattern().Matches(header))
        {
            long next = 0;
            string withoutComments = CommentPattern().Replace(body.Groups[1].Value, string.Empty);
            foreach (string raw in withoutComments.Split(','))
            {
                Match member = MemberPattern().Match(raw);
                if (!member.Success)
                {
                    continue;
                }

                long value = member.Groups[2].Success ? long.Parse(member.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture) : next;
                constants[member.Groups[1].Value] = value;
                next = value + 1;
            }
        }

        return constants;
    }

    [GeneratedRegex(@"^#define\s+(RD_KAFKA_\w+)(?:\s|\\)+(0x[0-9a-fA-F]+|\d+)\b", RegexOptions.Multiline)]
    private static partial Regex DefinePattern();

    [GeneratedRegex(@"typedef\s+enum\s+\w*\s*\{([^}]*)\}", RegexOptions.Singleline)]
    private static partial Regex EnumPattern();

    [GeneratedRegex(@"/\*.*?\*/|//[^\n]*", RegexOptions.Singleline)]
    private static partial Regex CommentPattern();

    [GeneratedRegex(@"^\s*(RD_KAFKA_\w+)\s*(?:=\s*(-?\d+))?\s*$")]
    private static partial Regex MemberPattern();
}

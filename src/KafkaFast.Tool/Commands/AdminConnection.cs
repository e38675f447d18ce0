using System.CommandLine;
using KafkaFast.Admin;

namespace KafkaFast.Tool.Commands;

/// <summary>
/// The options of the topic and group commands: a cluster (-b, required: an embedded cluster would vanish with the
/// command), librdkafka properties (-X) and how long to wait for an answer (--timeout).
/// </summary>
internal sealed class AdminConnection
{
    private readonly ConnectionOptions _connection = new();
    private readonly Option<TimeSpan> _timeout = Durations.TimeoutOption(TimeSpan.FromSeconds(30), "How long to wait for the cluster's answer");

    internal void AddTo(Command command)
    {
        _connection.AddTo(command);
        command.Options.Add(_timeout);
    }

    /// <summary>The bootstrap servers (a usage error when missing).</summary>
    internal string Bootstrap(ParseResult parsed) =>
        parsed.GetValue(_connection.Bootstrap) is { Length: > 0 } bootstrap
            ? bootstrap
            : throw new UsageException($"'{parsed.CommandResult.Command.Name}' needs -b host:port: an embedded cluster would vanish with this command " +
                                       "(start one with 'kafkafast mock' and pass the address it prints)");

    internal TimeSpan Timeout(ParseResult parsed) => parsed.GetValue(_timeout);

    /// <summary>An admin client for the cluster named on the command line.</summary>
    internal KafkaAdminClient Open(ParseResult parsed) =>
        ClusterTopics.Admin(Bootstrap(parsed), _connection.ParseProperties(parsed), Timeout(parsed));
}

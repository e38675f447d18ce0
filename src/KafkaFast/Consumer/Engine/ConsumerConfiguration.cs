using System.Globalization;
using KafkaFast.Configuration;
using KafkaFast.Native;

namespace KafkaFast.Consumer.Engine;

/// <summary>Turns validated <see cref="KafkaConsumerOptions"/> into an rd_kafka_conf_t.</summary>
internal static class ConsumerConfiguration
{
    /// <summary>Start of the private group id given to a consumer without a group.</summary>
    internal const string NoGroupPrefix = "kafkafast-no-group-";

    /// <summary>
    /// Builds the configuration; the caller owns (and on success passes to rd_kafka_new) the result.
    /// <paramref name="cooperative"/>: whether the group rebalances incrementally, from the final properties (the
    /// rebalance callback must not ask librdkafka, see <see cref="ConsumerCallbacks.Install"/>).
    /// </summary>
    internal static SafeConfigHandle Build(KafkaConsumerOptions options, out int maxPollIntervalMs, out bool cooperative)
    {
        var conf = new SafeConfigHandle();
        try
        {
            if (!string.IsNullOrWhiteSpace(options.BootstrapServers))
            {
                Set(conf, "bootstrap.servers", options.BootstrapServers, nameof(options.BootstrapServers));
            }

            bool hasGroup = options.EffectiveGroupId is not null;
            if (!string.IsNullOrEmpty(options.GroupId))
            {
                Set(conf, "group.id", options.GroupId, nameof(options.GroupId)); // Properties["group.id"], if set, overrides it below
            }
            else if (!hasGroup)
            {
                // librdkafka assigns partitions only through a group handle, so a consumer without a group gets a private
                // one that never joins, commits or fetches committed offsets (KafkaConsumer refuses those without a
                // group; only the coordinator lookup reaches the broker, and its errors are not reported).
                Set(conf, "group.id", $"{NoGroupPrefix}{Guid.NewGuid():N}", nameof(options.GroupId));
            }

            Set(conf, "client.id", options.ClientId, nameof(options.ClientId));
            Set(conf, "auto.offset.reset", options.AutoOffsetReset switch
            {
                AutoOffsetReset.Earliest => "earliest",
                AutoOffsetReset.Error => "error",
                _ => "latest",
            }, nameof(options.AutoOffsetReset));

            // At-least-once in both modes: nothing is stored until the application has processed it.
            Set(conf, "enable.auto.offset.store", "false", nameof(options.CommitMode));
            Set(conf, "enable.auto.commit", hasGroup && options.CommitMode == CommitMode.Auto ? "true" : "false", nameof(options.CommitMode));
            Set(conf, "auto.commit.interval.ms", Milliseconds(options.AutoCommitInterval), nameof(options.AutoCommitInterval));
            Set(conf, "isolation.level", options.IsolationLevel == IsolationLevel.ReadUncommitted ? "read_uncommitted" : "read_committed", nameof(options.IsolationLevel));
            if (!options.UsesConsumerGroupProtocol)
            {
                // With group.protocol=consumer (KIP-848) the broker owns both, and librdkafka refuses them.
                Set(conf, "partition.assignment.strategy", options.PartitionAssignmentStrategy switch
                {
                    PartitionAssignmentStrategy.RoundRobin => "roundrobin",
                    PartitionAssignmentStrategy.CooperativeSticky => "cooperative-sticky",
                    _ => "range",
                }, nameof(options.PartitionAssignmentStrategy));
                Set(conf, "session.timeout.ms", Milliseconds(options.SessionTimeout), nameof(options.SessionTimeout));
            }

            Set(conf, "max.poll.interval.ms", Milliseconds(options.MaxPollInterval), nameof(options.MaxPollInterval));
            Set(conf, "enable.partition.eof", "false", nameof(options.Properties));

            foreach ((string key, string value) in options.Properties)
            {
                Set(conf, key, value, nameof(options.Properties), KafkaProperties.IsSecret(key));
            }

            string? interval = LibRdKafka.ConfGetString(conf, "max.poll.interval.ms");
            maxPollIntervalMs = int.TryParse(interval, NumberStyles.Integer, CultureInfo.InvariantCulture, out int ms) ? ms : 300_000;
            cooperative = ConsumerCallbacks.IsCooperativeConfiguration(
                LibRdKafka.ConfGetString(conf, "group.protocol"), LibRdKafka.ConfGetString(conf, "partition.assignment.strategy"));
            return conf;
        }
        catch
        {
            conf.Dispose();
            throw;
        }
    }

    private static string Milliseconds(TimeSpan value) =>
        ((long)Math.Ceiling(value.TotalMilliseconds)).ToString(CultureInfo.InvariantCulture);

    /// <summary>rd_kafka_conf_set, throwing with librdkafka's reason; a secret value is never shown, even inside that reason.</summary>
    private static void Set(SafeConfigHandle conf, string name, string value, string setting, bool secret = false)
    {
        string? reason = LibRdKafka.TrySetConf(conf, name, value);
        if (reason is null)
        {
            return;
        }

        if (secret && value.Length > 0)
        {
            reason = reason.Replace(value, "***", StringComparison.Ordinal);
        }

        string shown = secret ? "***" : $"'{value}'";
        string what = setting == nameof(KafkaConsumerOptions.Properties) ? $"Properties['{name}']" : $"{setting} (librdkafka '{name}')";
        throw new ArgumentException($"{what} = {shown} was refused by librdkafka: {reason}", setting);
    }
}

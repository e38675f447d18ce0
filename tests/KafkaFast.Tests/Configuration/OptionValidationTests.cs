using KafkaFast.Configuration;
using KafkaFast.Consumer;
using KafkaFast.Producer;

namespace KafkaFast.Tests.Configuration;

/// <summary>
/// GetValidationErrors reports every bad setting (name, value, reason); the constructors throw the first of the same
/// list. The ASP.NET Core host forwards the same list (tests/KafkaFast.AspNetCore.Tests/OptionRulesAgreementTests).
/// </summary>
public sealed class OptionValidationTests
{
    [Fact]
    public void Every_bad_producer_setting_is_reported_with_its_value_and_the_constructor_throws_the_first()
    {
        var options = new KafkaProducerOptions
        {
            BootstrapServers = "127.0.0.1:1",
            MaxClients = 0,
            Linger = TimeSpan.FromMilliseconds(-1),
            Compression = (CompressionType)42,
            ClientId = " ",
            Acks = Acks.Leader,
        };
        options.Properties["dr_msg_cb"] = "x";
        options.Properties["sasl.password"] = "hunter2";

        IReadOnlyList<OptionError> errors = options.GetValidationErrors();
        Assert.Equal(["MaxClients", "Compression", "Linger", "ClientId", "Acks", "Properties:dr_msg_cb"], errors.Select(e => e.Setting));
        OptionError clients = errors[0];
        Assert.Equal("0", clients.Value);
        Assert.Equal("must be between 1 and 64 (was 0)", clients.Reason);
        Assert.Equal("MaxClients must be between 1 and 64 (was 0).", clients.Message);
        Assert.Equal("42", errors[1].Value);
        Assert.Contains("known: None, Gzip", errors[1].Reason, StringComparison.Ordinal);
        Assert.Equal("-00:00:00.0010000", errors[2].Value);
        Assert.Contains("EnableIdempotence requires Acks = All", errors[4].Reason, StringComparison.Ordinal);
        Assert.Equal("Properties", errors[5].PropertyName);

        var thrown = Assert.Throws<ArgumentException>(() => new KafkaProducer(options));
        Assert.Equal("MaxClients", thrown.ParamName);
        Assert.StartsWith(clients.Message, thrown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Derived_rules_are_checked_only_when_their_inputs_are_valid()
    {
        // The budget's minimum depends on MaxClients and MessageMaxBytes: with either out of range it is not computed.
        var options = new KafkaProducerOptions { BootstrapServers = "b:1", MaxClients = 1000, MessageMaxBytes = int.MaxValue, MemoryBudgetBytes = 1 };
        Assert.Equal(["MaxClients", "MessageMaxBytes"], options.GetValidationErrors().Select(e => e.Setting));

        options.MaxClients = 2;
        options.MessageMaxBytes = 1_000_000;
        OptionError budget = Assert.Single(options.GetValidationErrors());
        Assert.Equal("MemoryBudgetBytes", budget.Setting);
        Assert.Equal("is 1 bytes; with MessageMaxBytes 1000000 and MaxClients 2 it must be at least 4456448 (2 slabs of 1114112 bytes per client)", budget.Reason);
        Assert.Empty(new KafkaProducerOptions { BootstrapServers = "b:1" }.GetValidationErrors());
    }

    [Fact]
    public void Every_bad_consumer_setting_is_reported_and_secret_values_are_hidden()
    {
        var options = new KafkaConsumerOptions { BootstrapServers = "", GroupId = " g", ClientId = "", SessionTimeout = TimeSpan.FromSeconds(30), MaxPollInterval = TimeSpan.FromSeconds(10) };
        options.Properties["enable.auto.commit"] = "false";
        options.Properties["opaque"] = "1";

        IReadOnlyList<OptionError> errors = options.GetValidationErrors();
        Assert.Equal(["BootstrapServers", "GroupId", "ClientId", "MaxPollInterval", "Properties:enable.auto.commit", "Properties:opaque"], errors.Select(e => e.Setting));
        Assert.Equal("", errors[0].Value);
        Assert.Equal(" g", errors[1].Value);
        Assert.Contains("use KafkaConsumerOptions.CommitMode instead", errors[4].Reason, StringComparison.Ordinal);
        Assert.Equal("BootstrapServers", Assert.Throws<ArgumentException>(() => new KafkaConsumer(options)).ParamName);

        var secret = new KafkaConsumerOptions { BootstrapServers = "b:1", GroupId = "g" };
        secret.Properties["ssl.key.password"] = null!;
        Assert.Equal("Properties:ssl.key.password has no value.", Assert.Single(secret.GetValidationErrors()).Message);
    }

    [Theory]
    [InlineData("orders", null)]
    [InlineData("", "is empty")]
    [InlineData(null, "is empty")]
    [InlineData(".", "'.' is not allowed (Kafka reserves \".\" and \"..\")")]
    [InlineData("a b", "'a b' contains ' '; topic names allow only ASCII letters, digits, '.', '_' and '-'")]
    public void Topic_names_follow_Kafka_rules(string? topic, string? error)
    {
        Assert.Equal(error, TopicName.GetError(topic));
        Assert.Equal($"is {TopicName.MaxLength + 1} characters long; Kafka allows at most {TopicName.MaxLength}", TopicName.GetError(new string('t', TopicName.MaxLength + 1)));
    }
}

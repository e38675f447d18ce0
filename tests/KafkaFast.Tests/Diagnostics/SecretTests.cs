using KafkaFast.Consumer;
using KafkaFast.Producer;
using KafkaFast.Tests.Support;

namespace KafkaFast.Tests.Diagnostics;

/// <summary>
/// Secrets never leave the options: not through ToString, exceptions, log lines (librdkafka's configuration dump
/// included) or statistics, for the producer and the consumer.
/// </summary>
public sealed class SecretTests
{
    private const string Unreachable = "127.0.0.1:1";

    public static TheoryData<string, string> Secrets => new()
    {
        { "sasl.password", "s3cr3t-sasl-password" },
        { "ssl.key.password", "s3cr3t-key-password" },
        { "ssl.key.pem", "-----BEGIN PRIVATE KEY-----\ns3cr3tPemMaterial\n-----END PRIVATE KEY-----\n" },
        { "ssl.keystore.password", "s3cr3t-keystore-password" },
        { "sasl.oauthbearer.client.secret", "s3cr3t-oauth-client-secret" },
    };

    /// <summary>A distinctive part of each secret value: none of it may appear anywhere.</summary>
    private static string Core(string secret) => secret.Contains("s3cr3tPem", StringComparison.Ordinal) ? "s3cr3tPem" : secret;

    private static KafkaProducerOptions ProducerOptions(string name, string secret) => new()
    {
        BootstrapServers = Unreachable,
        Properties = { [name] = secret },
    };

    private static KafkaConsumerOptions ConsumerOptions(string name, string secret) => new()
    {
        BootstrapServers = Unreachable,
        GroupId = "secrets",
        Properties = { [name] = secret },
    };

    [Theory]
    [MemberData(nameof(Secrets))]
    public void Producer_options_ToString_hides_the_secret(string name, string secret)
    {
        string text = ProducerOptions(name, secret).ToString();
        Assert.Contains($"{name}=***", text, StringComparison.Ordinal);
        Assert.DoesNotContain(Core(secret), text, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Secrets))]
    public void Consumer_options_ToString_hides_the_secret(string name, string secret)
    {
        string text = ConsumerOptions(name, secret).ToString();
        Assert.Contains(name, text, StringComparison.Ordinal);
        Assert.DoesNotContain(Core(secret), text, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Secrets))]
    public void Producer_exceptions_never_show_the_secret(string name, string secret)
    {
        // Another setting is bad: the message lists the problem, never the secret beside it.
        var options = ProducerOptions(name, secret);
        options.Properties["acks"] = "most";
        var error = Assert.ThrowsAny<ArgumentException>(() => new KafkaProducer(options));
        Assert.Contains("acks", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Core(secret), error.ToString(), StringComparison.Ordinal);

        // librdkafka refuses the client itself (the secret is used: TLS or SASL set up with it).
        var refused = ProducerOptions(name, secret);
        UseSecret(refused.Properties, name);
        Exception? failure = Record.Exception(() => new KafkaProducer(refused).Dispose());
        Assert.DoesNotContain(Core(secret), failure?.ToString() ?? string.Empty, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Secrets))]
    public void Consumer_exceptions_never_show_the_secret(string name, string secret)
    {
        var options = ConsumerOptions(name, secret);
        options.Properties["auto.offset.reset"] = "sometimes";
        var error = Assert.ThrowsAny<ArgumentException>(() => new KafkaConsumer(options));
        Assert.Contains("auto.offset.reset", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Core(secret), error.ToString(), StringComparison.Ordinal);

        var refused = ConsumerOptions(name, secret);
        UseSecret(refused.Properties, name);
        Exception? failure = Record.Exception(() => new KafkaConsumer(refused).Dispose());
        Assert.DoesNotContain(Core(secret), failure?.ToString() ?? string.Empty, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Secrets))]
    public async Task Producer_logs_and_statistics_never_show_the_secret(string name, string secret)
    {
        var loggers = new CollectingLoggerFactory();
        var options = ProducerOptions(name, secret);
        options.Properties["debug"] = "conf,security,broker";
        options.Properties["statistics.interval.ms"] = "100";
        await using (var producer = new KafkaProducer(options, loggers))
        {
            // librdkafka's configuration dump (debug=conf) names the property: the log channel was exercised.
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (!loggers.Lines.Any(l => l.Contains(name, StringComparison.Ordinal)) || producer.GetStatistics().LibrdkafkaStatistics[0] is null)
            {
                Assert.True(DateTime.UtcNow < deadline, $"no configuration dump naming {name} or no statistics within 30 s");
                await Task.Delay(50);
            }

            ProducerStatistics statistics = producer.GetStatistics();
            Assert.DoesNotContain(Core(secret), statistics.LibrdkafkaStatistics[0]!, StringComparison.Ordinal);
            Assert.DoesNotContain(Core(secret), statistics.ToString(), StringComparison.Ordinal);
        }

        Assert.DoesNotContain(loggers.Lines, l => l.Contains(Core(secret), StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Secrets))]
    public async Task Consumer_logs_never_show_the_secret(string name, string secret)
    {
        var loggers = new CollectingLoggerFactory();
        var options = ConsumerOptions(name, secret);
        options.Properties["debug"] = "conf,security,broker";
        using (var consumer = new KafkaConsumer(options, loggers))
        {
            consumer.Subscribe("secrets");
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (!loggers.Lines.Any(l => l.Contains(name, StringComparison.Ordinal)))
            {
                Assert.True(DateTime.UtcNow < deadline, $"no configuration dump naming {name} within 30 s");
                using (consumer.ConsumeBatch(10, TimeSpan.FromMilliseconds(50)))
                {
                }

                await Task.Yield();
            }
        }

        Assert.DoesNotContain(loggers.Lines, l => l.Contains(Core(secret), StringComparison.Ordinal));
    }

    /// <summary>Makes librdkafka use the secret: TLS for the SSL ones (an invalid key: refused), SASL/OAUTHBEARER for the others.</summary>
    private static void UseSecret(IDictionary<string, string> properties, string name)
    {
        switch (name)
        {
            case "sasl.password":
                properties["security.protocol"] = "sasl_plaintext";
                properties["sasl.mechanism"] = "PLAIN";
                properties["sasl.username"] = "user";
                break;
            case "sasl.oauthbearer.client.secret":
                properties["security.protocol"] = "sasl_plaintext";
                properties["sasl.mechanism"] = "OAUTHBEARER";
                properties["sasl.oauthbearer.method"] = "oidc";
                properties["sasl.oauthbearer.client.id"] = "client";
                properties["sasl.oauthbearer.token.endpoint.url"] = "http://127.0.0.1:1/token";
                break;
            case "ssl.key.pem":
                properties["security.protocol"] = "ssl";
                break;
            default: // ssl.key.password, ssl.keystore.password: a key or keystore that does not exist
                properties["security.protocol"] = "ssl";
                properties[name == "ssl.key.password" ? "ssl.key.location" : "ssl.keystore.location"] = "/nonexistent/secret-test.key";
                break;
        }
    }
}

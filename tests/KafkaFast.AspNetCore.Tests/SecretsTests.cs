using KafkaFast.AspNetCore.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace KafkaFast.AspNetCore.Tests;

/// <summary>Secrets (sasl.password, ssl key material) appear in no log line, exception or ToString.</summary>
public sealed class SecretsTests
{
    private const string Password = "Pw-7c1f-SECRET";
    private const string KeyPassword = "KeyPw-93ad-SECRET";
    private const string KeyPem = "-----BEGIN PRIVATE KEY-----Pem-51e0-SECRET";

    [Fact]
    public async Task No_secret_in_any_log_line_even_with_librdkafka_debug_logging()
    {
        var config = new Dictionary<string, string?>
        {
            ["KafkaFast:Producers:Default:BootstrapServers"] = "embedded",
            ["KafkaFast:Producers:Default:StatisticsInterval"] = "00:00:00.100",
            ["KafkaFast:Producers:Default:CloseTimeout"] = "00:00:01",
            ["KafkaFast:Producers:Default:Properties:security.protocol"] = "sasl_plaintext",
            ["KafkaFast:Producers:Default:Properties:sasl.mechanism"] = "PLAIN",
            ["KafkaFast:Producers:Default:Properties:sasl.username"] = "gateway-user",
            ["KafkaFast:Producers:Default:Properties:sasl.password"] = Password,
            ["KafkaFast:Producers:Default:Properties:ssl.key.password"] = KeyPassword,
            ["KafkaFast:Producers:Default:Properties:debug"] = "conf,security,broker,generic",
        };
        var app = await TestApp.StartAsync(config, requestEvents: false);
        string text;
        try
        {
            // The embedded brokers do not speak SASL: the client tries, fails and logs it.
            await TestApp.Eventually(() => Task.FromResult(app.Logs.Entries.Any(e =>
                e.Category == "KafkaFast.Producer.Default" && e.Message.Contains("SASL", StringComparison.OrdinalIgnoreCase))), "librdkafka's SASL log lines");
            Assert.Contains(app.Logs.Entries, e => e.Category == "KafkaFast.Producer.Default" && e.Level == LogLevel.Debug);
        }
        finally
        {
            await app.DisposeAsync();
            text = app.Logs.AllText;
        }

        Assert.Contains("sasl.password=***", text, StringComparison.Ordinal); // the options were logged (Debug)...
        Assert.Contains("sasl.username=gateway-user", text, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, text, StringComparison.Ordinal); // ...and nothing, ours or librdkafka's, shows the secret values
        Assert.DoesNotContain(KeyPassword, text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_rejected_secret_property_is_named_but_its_value_is_not_shown()
    {
        var config = new Dictionary<string, string?>
        {
            ["KafkaFast:Producers:Default:BootstrapServers"] = "embedded",
            ["KafkaFast:Producers:Default:Properties:ssl.key.pem"] = KeyPem,
            ["KafkaFast:Producers:Default:Properties:my.vault.password"] = Password,
        };
        (WebApplication app, LogSink logs) = TestApp.Build(config, requestEvents: false);
        await using (app)
        {
            var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());
            Assert.Contains("KafkaFast:Producers:Default:Properties:my.vault.password is invalid", ex.Message, StringComparison.Ordinal);
            string all = ex.ToString() + logs.AllText;
            Assert.DoesNotContain(Password, all, StringComparison.Ordinal);
            Assert.DoesNotContain("Pem-51e0-SECRET", all, StringComparison.Ordinal);
        }
    }
}

using System.Net;
using KafkaFast.AspNetCore.Options;
using KafkaFast.AspNetCore.Tests.Support;
using KafkaFast.Producer;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace KafkaFast.AspNetCore.Tests;

/// <summary>A wrong setting stops the application at start-up, with a message naming the configuration key.</summary>
public sealed class ConfigurationTests
{
    private static async Task<Exception> StartupFails(IDictionary<string, string?> config, bool requestEvents = false)
    {
        (WebApplication app, LogSink _) = TestApp.Build(config, requestEvents: requestEvents);
        await using (app)
        {
            return await Assert.ThrowsAnyAsync<Exception>(() => app.StartAsync().WaitAsync(TimeSpan.FromSeconds(60)));
        }
    }

    private static Dictionary<string, string?> Valid() => new()
    {
        ["KafkaFast:Producers:Default:BootstrapServers"] = "embedded",
        ["KafkaFast:Producers:Default:Topics:0"] = "events",
    };

    [Fact]
    public async Task A_misspelt_key_is_an_error_with_a_suggestion()
    {
        var config = Valid();
        config["KafkaFast:Producers:Default:MemoryBudgetByte"] = "1000000";
        var ex = Assert.IsType<OptionsValidationException>(await StartupFails(config));
        Assert.Contains("KafkaFast:Producers:Default:MemoryBudgetByte is not a KafkaFast setting. Did you mean 'MemoryBudgetBytes'?", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_bad_setting_is_reported_at_once_each_with_its_key()
    {
        var config = Valid();
        config["KafkaFast:Producers:Default:MemoryBudgetBytes"] = "1000";
        config["KafkaFast:Producers:Default:MaxClients"] = "100";
        config["KafkaFast:Producers:Default:Topics:1"] = "bad topic!";
        config["KafkaFast:Producers:Default:Health:DegradedBudgetRatio"] = "1.5";
        config["KafkaFast:Producers:Default:Properties:dr_msg_cb"] = "x";
        var ex = Assert.IsType<OptionsValidationException>(await StartupFails(config));
        Assert.Contains(ex.Failures, f => f.StartsWith("KafkaFast:Producers:Default:MaxClients must be between 1 and 64 (was 100)", StringComparison.Ordinal));
        Assert.Contains(ex.Failures, f => f.StartsWith("KafkaFast:Producers:Default:Topics:1 'bad topic!' contains ' '", StringComparison.Ordinal));
        Assert.Contains(ex.Failures, f => f.StartsWith("KafkaFast:Producers:Default:Health:DegradedBudgetRatio must be greater than 0 and at most 1 (was 1.5)", StringComparison.Ordinal));
        Assert.Contains(ex.Failures, f => f.StartsWith("KafkaFast:Producers:Default:Properties:dr_msg_cb is managed by KafkaFast", StringComparison.Ordinal));
        Assert.Equal(4, ex.Failures.Count());

        config["KafkaFast:Producers:Default:MaxClients"] = "1";
        ex = Assert.IsType<OptionsValidationException>(await StartupFails(config));
        Assert.Contains(ex.Failures, f => f.StartsWith("KafkaFast:Producers:Default:MemoryBudgetBytes is 1000 bytes; with MessageMaxBytes 1000000 and MaxClients 1 it must be at least 2228224", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Missing_bootstrap_servers_are_named()
    {
        var config = new Dictionary<string, string?> { ["KafkaFast:Producers:Default:ClientId"] = "gateway" };
        var ex = Assert.IsType<OptionsValidationException>(await StartupFails(config));
        Assert.Contains("KafkaFast:Producers:Default:BootstrapServers is required", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_value_of_the_wrong_type_names_the_key()
    {
        var config = Valid();
        config["KafkaFast:Producers:Default:Linger"] = "soon";
        Exception ex = await StartupFails(config);
        Assert.Contains("KafkaFast:Producers:Default:Linger", ex.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_librdkafka_property_librdkafka_rejects_is_named_by_its_key()
    {
        var config = Valid();
        config["KafkaFast:Producers:Default:Properties:compression.codec"] = "brotli";
        var ex = Assert.IsType<OptionsValidationException>(await StartupFails(config));
        Assert.Contains("KafkaFast:Producers:Default:Properties:compression.codec is invalid: Invalid librdkafka property 'compression.codec' = 'brotli'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Misspelt_sections_and_request_event_settings_are_errors()
    {
        var config = Valid();
        config["KafkaFast:Producer:Default:BootstrapServers"] = "localhost:9092";
        config["KafkaFast:EmbeddedCluster:Brokers"] = "3";
        config["KafkaFast:RequestEvents:Topic"] = "events";
        config["KafkaFast:RequestEvents:SamplingRatio"] = "2";
        config["KafkaFast:RequestEvents:Phase"] = "Both";
        Exception ex = await StartupFails(config, requestEvents: true);
        string message = ex.ToString();
        Assert.Contains("KafkaFast:Producer is not a KafkaFast setting. Did you mean 'Producers'?", message, StringComparison.Ordinal);
        Assert.Contains("KafkaFast:EmbeddedCluster:Brokers is not a KafkaFast setting.", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Request_event_settings_are_checked_at_start_up()
    {
        var config = Valid();
        config["KafkaFast:RequestEvents:Topic"] = "events";
        config["KafkaFast:RequestEvents:SamplingRatio"] = "2";
        config["KafkaFast:RequestEvents:Phase"] = "Both";
        config["KafkaFast:RequestEvents:ProducerName"] = "Audit";
        var ex = Assert.IsType<OptionsValidationException>(await StartupFails(config, requestEvents: true));
        Assert.Contains(ex.Failures, f => f.StartsWith("KafkaFast:RequestEvents:SamplingRatio must be between 0 and 1 (was 2)", StringComparison.Ordinal));
        Assert.Contains(ex.Failures, f => f.StartsWith("KafkaFast:RequestEvents:Phase is not a KafkaFast setting. Did you mean 'Phases'?", StringComparison.Ordinal));
        Assert.Contains(ex.Failures, f => f.StartsWith("KafkaFast:RequestEvents:ProducerName names no registered producer ('Audit'; registered: Default)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_middleware_without_a_topic_fails_at_start_up()
    {
        var ex = Assert.IsType<OptionsValidationException>(await StartupFails(Valid(), requestEvents: true));
        Assert.Contains("UseKafkaRequestEvents options:Topic is required", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Named_producers_each_get_their_settings_and_are_injectable_by_name()
    {
        var config = TestApp.EmbeddedConfig("requests-named");
        config["KafkaFast:Producers:Audit:UseEmbeddedCluster"] = "true"; // no BootstrapServers needed; shares the one embedded cluster
        config["KafkaFast:Producers:Audit:ClientId"] = "audit-writer";
        config["KafkaFast:Producers:Audit:Topics:0"] = "audit";
        config["KafkaFast:Producers:Audit:MemoryBudgetBytes"] = "4456448";
        config["KafkaFast:Producers:Audit:StickyPartitioningLinger"] = "00:00:00.250";
        config["KafkaFast:RequestEvents:ProducerName"] = "Audit";
        config["KafkaFast:RequestEvents:Topic"] = "audit";
        await using var app = await TestApp.StartAsync(config);

        KafkaProducer audit = app.App.Services.GetRequiredKeyedService<KafkaProducer>("Audit");
        KafkaProducer byDefault = app.App.Services.GetRequiredService<KafkaProducer>();
        Assert.Same(app.Producers.GetProducer("Audit"), audit);
        Assert.Same(app.Producers.GetProducer("Default"), byDefault);
        Assert.NotSame(audit, byDefault);
        Assert.Equal("audit-writer", audit.Options.ClientId);
        Assert.Equal(byDefault.Options.BootstrapServers, audit.Options.BootstrapServers);
        Assert.Equal(app.Producers.EmbeddedCluster!.BootstrapServers, audit.Options.BootstrapServers);
        Assert.Equal(4456448, audit.Options.MemoryBudgetBytes);
        Assert.Equal(TimeSpan.FromMilliseconds(250), audit.Options.StickyPartitioningLinger);
        Assert.Null(byDefault.Options.StickyPartitioningLinger); // the default: 100 ms, or 20 lingers
        Assert.Equal(["Audit", "Default"], app.Producers.Names.Order());
        Assert.Throws<InvalidOperationException>(() => app.Producers.GetProducer("Billing"));

        using HttpResponseMessage response = await app.Client.GetAsync("/hello");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("/hello", ReadBack.Events(app.Bootstrap, "audit", expected: 1).Single().Str("path"));
        Assert.Equal(1, audit.GetStatistics().Accepted);
        Assert.Equal(0, byDefault.GetStatistics().Accepted);
    }

    [Fact]
    public void Options_ToString_hides_secrets()
    {
        var options = new HostedProducerOptions();
        options.Producer.BootstrapServers = "broker:9093";
        options.Producer.Properties["sasl.password"] = "hunter2-secret";
        options.Producer.Properties["ssl.key.pem"] = "-----BEGIN PRIVATE KEY-----abc";
        options.Producer.Properties["sasl.username"] = "gateway";
        string text = options.ToString();
        Assert.DoesNotContain("hunter2-secret", text, StringComparison.Ordinal);
        Assert.DoesNotContain("BEGIN PRIVATE KEY", text, StringComparison.Ordinal);
        Assert.Contains("sasl.username=gateway", text, StringComparison.Ordinal);
        Assert.Contains("sasl.password=***", text, StringComparison.Ordinal);
    }
}

using KafkaFast.AspNetCore.Options;
using KafkaFast.Configuration;
using KafkaFast.Producer;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace KafkaFast.AspNetCore.Tests;

/// <summary>
/// One rules source: the core's checks (KafkaProducerOptions.GetValidationErrors, thrown first by the constructor) and
/// the host's start-up check report the same errors for the same input, the host every one of them, at its key, in
/// one OptionsValidationException.
/// </summary>
public sealed class OptionRulesAgreementTests
{
    public static TheoryData<string, Action<KafkaProducerOptions>> BadInputs => new()
    {
        { "clients and message size", o => { o.MaxClients = 0; o.MessageMaxBytes = 10; } },
        { "budget below two slabs", o => o.MemoryBudgetBytes = 1000 },
        { "budget above 64 GiB", o => o.MemoryBudgetBytes = 65L * 1024 * 1024 * 1024 },
        { "durations", o => { o.Linger = TimeSpan.FromMilliseconds(-1); o.StickyPartitioningLinger = TimeSpan.FromMilliseconds(-5); o.OverflowTimeout = TimeSpan.FromHours(2); o.MetadataTimeout = TimeSpan.Zero; } },
        { "acks without idempotence", o => o.Acks = Acks.Leader },
        { "delivery report sampling", o => o.DeliveryReportSampleInterval = 0 },
        { "unknown enum values", o => { o.Compression = (CompressionType)42; o.Partitioner = (PartitionerType)9; o.OverflowPolicy = (OverflowPolicy)7; } },
        { "properties", o => { o.Properties["dr_msg_cb"] = "x"; o.Properties[" "] = "1"; o.Properties["linger.ms"] = null!; } },
        { "client id and failure buffer", o => { o.ClientId = ""; o.FailureBufferCapacity = 0; o.MessageTimeout = TimeSpan.FromSeconds(-1); o.CloseTimeout = TimeSpan.FromHours(2); } },
        { "everything at once", o =>
            {
                o.MaxClients = 65;
                o.MemoryBudgetBytes = 1;
                o.Linger = TimeSpan.FromDays(1);
                o.Acks = Acks.None;
                o.Compression = (CompressionType)42;
                o.ClientId = " ";
                o.FailureBufferCapacity = 2_000_000;
                o.Properties["log.queue"] = "true";
            }
        },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public async Task The_core_and_the_host_report_the_same_errors(string _, Action<KafkaProducerOptions> configure)
    {
        // The core: every error, the constructor throwing the first.
        var core = new KafkaProducerOptions { BootstrapServers = "127.0.0.1:1" };
        configure(core);
        IReadOnlyList<OptionError> errors = core.GetValidationErrors();
        Assert.NotEmpty(errors);
        var thrown = Assert.ThrowsAny<ArgumentException>(() => new KafkaProducer(core));
        Assert.Equal(errors[0].PropertyName, thrown.ParamName);
        Assert.StartsWith(errors[0].Message, thrown.Message, StringComparison.Ordinal);

        // The host: the same errors, all of them, each at its key.
        OptionsValidationException hosted = await StartupFails(services => services.AddKafkaFast(o =>
        {
            o.Producer.BootstrapServers = "127.0.0.1:1";
            configure(o.Producer);
        }));
        Assert.Equal(errors.Select(e => $"KafkaFast producer 'Default': {e.Setting} {e.Reason}."), hosted.Failures);
    }

    [Fact]
    public async Task Missing_bootstrap_servers_get_the_hosts_hint_and_are_not_needed_with_the_embedded_cluster()
    {
        OptionError core = Assert.Single(new KafkaProducerOptions().GetValidationErrors());
        Assert.Equal("BootstrapServers", core.Setting);

        OptionsValidationException hosted = await StartupFails(services => services.AddKafkaFast(o => o.Producer.MaxClients = 0));
        Assert.Equal(
            ["KafkaFast producer 'Default': BootstrapServers is required (host:port[,host:port...]), or \"embedded\" for an in-process cluster.",
             "KafkaFast producer 'Default': MaxClients must be between 1 and 64 (was 0)."],
            hosted.Failures);

        hosted = await StartupFails(services => services.AddKafkaFast(o => { o.UseEmbeddedCluster = true; o.Producer.MaxClients = 0; }));
        Assert.Equal(["KafkaFast producer 'Default': MaxClients must be between 1 and 64 (was 0)."], hosted.Failures);
    }

    [Fact]
    public async Task Bad_settings_of_several_producers_sections_and_librdkafka_stop_the_host_with_one_exception()
    {
        var config = new Dictionary<string, string?>
        {
            ["KafkaFast:Producers:Default:BootstrapServers"] = "127.0.0.1:1",
            ["KafkaFast:Producers:Default:MaxClients"] = "0",
            ["KafkaFast:Producers:Audit:BootstrapServers"] = "127.0.0.1:1",
            ["KafkaFast:Producers:Audit:Linger"] = "soon",
            ["KafkaFast:EmbeddedCluster:BrokerCount"] = "0",
            ["KafkaFast:RequestEvents:SamplingRatio"] = "2",
            ["KafkaFast:Producer:Default:BootstrapServers"] = "typo",
        };
        OptionsValidationException ex = await StartupFails(services => services.AddKafkaFast(new ConfigurationBuilder().AddInMemoryCollection(config).Build().GetSection("KafkaFast")));
        Assert.Contains("KafkaFast:Producers:Default:MaxClients must be between 1 and 64 (was 0).", ex.Failures);
        Assert.Contains(ex.Failures, f => f.Contains("'KafkaFast:Producers:Audit:Linger'", StringComparison.Ordinal)); // the binder's error, naming the key
        Assert.Contains("KafkaFast:EmbeddedCluster:BrokerCount must be between 1 and 64 (was 0).", ex.Failures);
        Assert.Contains(ex.Failures, f => f.StartsWith("KafkaFast:Producer is not a KafkaFast setting. Did you mean 'Producers'?", StringComparison.Ordinal));
        Assert.Contains("KafkaFast:RequestEvents:SamplingRatio must be between 0 and 1 (was 2).", ex.Failures);
        Assert.Equal(5, ex.Failures.Count());

        // Valid options, but librdkafka refuses a property of each producer: both named, still one exception.
        config = new Dictionary<string, string?>
        {
            ["KafkaFast:Producers:Default:BootstrapServers"] = "127.0.0.1:1",
            ["KafkaFast:Producers:Default:Properties:compression.codec"] = "brotli",
            ["KafkaFast:Producers:Audit:BootstrapServers"] = "127.0.0.1:1",
            ["KafkaFast:Producers:Audit:Properties:no.such.property"] = "1",
        };
        ex = await StartupFails(services => services.AddKafkaFast(new ConfigurationBuilder().AddInMemoryCollection(config).Build().GetSection("KafkaFast")));
        Assert.Equal(2, ex.Failures.Count());
        Assert.Contains(ex.Failures, f => f.StartsWith("KafkaFast:Producers:Default:Properties:compression.codec is invalid:", StringComparison.Ordinal));
        Assert.Contains(ex.Failures, f => f.StartsWith("KafkaFast:Producers:Audit:Properties:no.such.property is invalid:", StringComparison.Ordinal));
    }

    private static async Task<OptionsValidationException> StartupFails(Action<IServiceCollection> configure)
    {
        HostApplicationBuilder builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        configure(builder.Services);
        using IHost host = builder.Build();
        Exception ex = await Assert.ThrowsAnyAsync<Exception>(() => host.StartAsync().WaitAsync(TimeSpan.FromSeconds(60)));
        return Assert.IsType<OptionsValidationException>(ex);
    }
}

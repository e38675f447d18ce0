using KafkaFast.AspNetCore;
using KafkaFast.AspNetCore.Diagnostics;
using KafkaFast.AspNetCore.Hosting;
using KafkaFast.AspNetCore.Options;
using KafkaFast.AspNetCore.RequestEvents;
using KafkaFast.Producer;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers KafkaFast producers, their hosted lifecycle, metrics and validation.</summary>
public static class KafkaFastServiceCollectionExtensions
{
    /// <summary>
    /// Adds KafkaFast's services (hosted lifecycle, metrics, provider) without a producer; add producers with
    /// <see cref="KafkaFastBuilderExtensions.AddProducer(IKafkaFastBuilder, string, Action{HostedProducerOptions})"/>.
    /// </summary>
    public static IKafkaFastBuilder AddKafkaFast(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions();
        services.AddMetrics();
        services.TryAddSingleton<KafkaProducerRegistry>();
        services.TryAddSingleton<IKafkaProducerProvider>(sp => sp.GetRequiredService<KafkaProducerRegistry>());
        services.TryAddSingleton<KafkaFastMetrics>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, KafkaFastHostedService>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, KafkaFastMetricsHostedService>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<HostedProducerOptions>, HostedProducerOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<KafkaFastEmbeddedClusterOptions>, KafkaFastEmbeddedClusterOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<KafkaRequestEventOptions>, KafkaRequestEventOptionsValidator>());
        services.AddSingleton(new StartupOptionsCheck(typeof(KafkaFastEmbeddedClusterOptions), Microsoft.Extensions.Options.Options.DefaultName,
            static sp => sp.GetRequiredService<IOptions<KafkaFastEmbeddedClusterOptions>>().Value));

        // The "Default" producer (or the only one) as KafkaProducer.
        services.TryAddSingleton<KafkaProducer>(sp =>
        {
            KafkaProducerRegistry registry = sp.GetRequiredService<KafkaProducerRegistry>();
            string name = registry.Names.Contains(HostedProducerOptions.DefaultName) || registry.Names.Count != 1 ? HostedProducerOptions.DefaultName : registry.Names.First();
            return registry.GetProducer(name);
        });
        return new Builder(services);
    }

    /// <summary>
    /// Adds KafkaFast from a configuration section (usually <c>configuration.GetSection("KafkaFast")</c>): one producer
    /// per child of <c>Producers</c> (named by its key), the embedded cluster from <c>EmbeddedCluster</c>, and the
    /// request-event middleware's options from <c>RequestEvents</c>. Everything is validated when the host starts;
    /// an unknown key is an error.
    /// </summary>
    public static IKafkaFastBuilder AddKafkaFast(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        IKafkaFastBuilder builder = services.AddKafkaFast();
        if (configuration is not IConfigurationSection section)
        {
            section = configuration.GetSection("KafkaFast");
        }

        services.AddSingleton(new KafkaFastRootConfiguration(section));
        services.Configure<KafkaFastEmbeddedClusterOptions>(section.GetSection(KafkaFastRootConfiguration.EmbeddedClusterKey));
        foreach (IConfigurationSection producer in section.GetSection(KafkaFastRootConfiguration.ProducersKey).GetChildren())
        {
            builder.AddProducer(producer.Key, producer);
        }

        IConfigurationSection requestEvents = section.GetSection(KafkaFastRootConfiguration.RequestEventsKey);
        if (requestEvents.Exists())
        {
            string name = requestEvents.Path;
            services.AddOptions<KafkaRequestEventOptions>(name).Bind(requestEvents);
            services.AddSingleton(new StartupOptionsCheck(typeof(KafkaRequestEventOptions), name,
                sp => sp.GetRequiredService<IOptionsMonitor<KafkaRequestEventOptions>>().Get(name)));
        }

        return builder;
    }

    /// <summary>Adds KafkaFast with one producer, <see cref="HostedProducerOptions.DefaultName"/>, configured in code.</summary>
    public static IKafkaFastBuilder AddKafkaFast(this IServiceCollection services, Action<HostedProducerOptions> configure) =>
        services.AddKafkaFast().AddProducer(HostedProducerOptions.DefaultName, configure);

    /// <summary>What AddKafkaFast returns: the application's services, for AddProducer and ConfigureEmbeddedCluster.</summary>
    private sealed class Builder(IServiceCollection services) : IKafkaFastBuilder
    {
        public IServiceCollection Services { get; } = services;
    }
}

/// <summary>Adds producers to KafkaFast.</summary>
public static class KafkaFastBuilderExtensions
{
    /// <summary>Adds (or configures further) the producer <paramref name="name"/>, bound from <paramref name="configuration"/>.</summary>
    public static IKafkaFastBuilder AddProducer(this IKafkaFastBuilder builder, string name, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(configuration);
        Register(builder.Services, name, configuration as IConfigurationSection);
        builder.Services.AddOptions<HostedProducerOptions>(name).Configure(options =>
        {
            configuration.Bind(options.Producer);
            configuration.Bind(options);
        });
        return builder;
    }

    /// <summary>Adds (or configures further) the producer <paramref name="name"/> in code.</summary>
    public static IKafkaFastBuilder AddProducer(this IKafkaFastBuilder builder, string name, Action<HostedProducerOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(configure);
        Register(builder.Services, name, section: null);
        builder.Services.AddOptions<HostedProducerOptions>(name).Configure(configure);
        return builder;
    }

    /// <summary>Configures the embedded cluster (after <c>KafkaFast:EmbeddedCluster</c>).</summary>
    public static IKafkaFastBuilder ConfigureEmbeddedCluster(this IKafkaFastBuilder builder, Action<KafkaFastEmbeddedClusterOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.Configure(configure);
        return builder;
    }

    private static void Register(IServiceCollection services, string name, IConfigurationSection? section)
    {
        bool known = services.Any(d => d.ServiceType == typeof(HostedProducerRegistration) && ((HostedProducerRegistration?)d.ImplementationInstance)?.Name == name);
        if (!known)
        {
            services.AddSingleton(new HostedProducerRegistration(name, section));
            services.AddSingleton(new StartupOptionsCheck(typeof(HostedProducerOptions), name,
                sp => sp.GetRequiredService<IOptionsMonitor<HostedProducerOptions>>().Get(name)));
            services.TryAddKeyedSingleton<KafkaProducer>(name, static (sp, key) => sp.GetRequiredService<KafkaProducerRegistry>().GetProducer((string)key!));
        }
    }
}

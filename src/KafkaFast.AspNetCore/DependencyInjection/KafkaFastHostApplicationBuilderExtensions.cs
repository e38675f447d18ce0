using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.Extensions.Hosting;

/// <summary>Adds KafkaFast from the application's configuration.</summary>
public static class KafkaFastHostApplicationBuilderExtensions
{
    /// <summary>
    /// Adds KafkaFast bound to the configuration section <paramref name="sectionName"/> (default "KafkaFast"): producers
    /// under <c>Producers</c>, the embedded cluster under <c>EmbeddedCluster</c>, request events under <c>RequestEvents</c>.
    /// </summary>
    public static IKafkaFastBuilder AddKafkaFast(this IHostApplicationBuilder builder, string sectionName = "KafkaFast")
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Services.AddKafkaFast(builder.Configuration.GetSection(sectionName));
    }
}

using KafkaFast.AspNetCore.Hosting;
using KafkaFast.AspNetCore.Options;
using KafkaFast.AspNetCore.RequestEvents;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Adds the request-event middleware to the pipeline.</summary>
public static class KafkaRequestEventsApplicationBuilderExtensions
{
    /// <summary>
    /// Writes one JSON event per request to Kafka (see <see cref="KafkaRequestEventOptions"/>), never slowing or failing
    /// the request. Options come from <c>KafkaFast:RequestEvents</c> when AddKafkaFast was given configuration, then
    /// <paramref name="configure"/>. Place it early (before UseRouting it sees every request; the "route" field is
    /// written in end events). The topic is resolved here, at start-up; a bad option stops the application.
    /// </summary>
    public static IApplicationBuilder UseKafkaRequestEvents(this IApplicationBuilder app, Action<KafkaRequestEventOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(app);
        IServiceProvider services = app.ApplicationServices;
        if (services.GetService<KafkaProducerRegistry>() is null)
        {
            throw new InvalidOperationException("UseKafkaRequestEvents needs KafkaFast's services: call builder.Services.AddKafkaFast(...) (or builder.AddKafkaFast()) first.");
        }

        // Options are read, checked and the topic resolved when the pipeline is built: at host start, after the
        // producers' own start-up checks, before the server takes a request.
        return app.Use(next =>
        {
            KafkaProducerRegistry registry = services.GetRequiredService<KafkaProducerRegistry>();
            var options = new KafkaRequestEventOptions();
            IConfigurationSection? section = services.GetService<KafkaFastRootConfiguration>()?.Section.GetSection(KafkaFastRootConfiguration.RequestEventsKey);
            if (section is not null && section.Exists())
            {
                section.Bind(options);
            }
            else
            {
                section = null;
            }

            configure?.Invoke(options);
            ValidateOptionsResult result = RequestEventOptionsRules.Validate(options, section?.Path ?? "UseKafkaRequestEvents options", section, requireTopic: true, registry.Names);
            if (result.Failed)
            {
                throw new OptionsValidationException(Options.DefaultName, typeof(KafkaRequestEventOptions), result.Failures);
            }

            var middleware = ActivatorUtilities.CreateInstance<KafkaRequestEventsMiddleware>(services, next, options);
            return middleware.InvokeAsync;
        });
    }
}

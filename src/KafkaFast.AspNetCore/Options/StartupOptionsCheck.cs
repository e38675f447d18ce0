using Microsoft.Extensions.Options;

namespace KafkaFast.AspNetCore.Options;

/// <summary>
/// One options instance that must be valid before the host starts (a producer's, the embedded cluster's, the request
/// events' section). The hosted lifecycle runs every check before it creates a producer and reports every failure of
/// every check in one <see cref="OptionsValidationException"/>, where ValidateOnStart would stop at the first
/// instance, or throw an AggregateException of several.
/// </summary>
/// <param name="optionsType">The options' type.</param>
/// <param name="optionsName">The options' name (a producer's name, a section's path).</param>
/// <param name="read">Reads the options, which runs their validators.</param>
internal sealed class StartupOptionsCheck(Type optionsType, string optionsName, Func<IServiceProvider, object> read)
{
    /// <summary>Runs every check; throws one <see cref="OptionsValidationException"/> listing every failure, if any.</summary>
    internal static void ThrowIfAnyFails(IServiceProvider services, IEnumerable<StartupOptionsCheck> checks)
    {
        var failures = new List<string>();
        StartupOptionsCheck? first = null;
        foreach (StartupOptionsCheck check in checks)
        {
            int before = failures.Count;
            check.Run(services, failures);
            if (failures.Count > before)
            {
                first ??= check;
            }
        }

        if (first is not null)
        {
            throw new OptionsValidationException(first.OptionsName, first.OptionsType, failures);
        }
    }

    /// <summary>Joins the failures of several exceptions into one (the first one's name and type).</summary>
    internal static OptionsValidationException Combine(IReadOnlyList<OptionsValidationException> exceptions) =>
        exceptions.Count == 1 ? exceptions[0] : new OptionsValidationException(exceptions[0].OptionsName, exceptions[0].OptionsType, exceptions.SelectMany(e => e.Failures));

    internal Type OptionsType { get; } = optionsType;

    internal string OptionsName { get; } = optionsName;

    private void Run(IServiceProvider services, List<string> failures)
    {
        try
        {
            read(services);
        }
        catch (OptionsValidationException ex)
        {
            failures.AddRange(ex.Failures);
        }
        catch (InvalidOperationException ex)
        {
            // The binder's: "Failed to convert configuration value at 'KafkaFast:Producers:Default:Linger' to type 'System.TimeSpan'."
            failures.Add(ex.InnerException is { } inner ? $"{ex.Message} {inner.Message}" : ex.Message);
        }
    }
}

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Returned by <c>AddKafkaFast</c>: adds producers and configures the embedded cluster.</summary>
public interface IKafkaFastBuilder
{
    /// <summary>The application's services.</summary>
    IServiceCollection Services { get; }
}

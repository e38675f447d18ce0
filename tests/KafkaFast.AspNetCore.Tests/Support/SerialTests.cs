namespace KafkaFast.AspNetCore.Tests.Support;

/// <summary>Tests that listen to process-wide activity sources, or measure allocations that such a listener would change.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SerialTests
{
    public const string Name = "serial (process-wide listeners and allocation counts)";
}

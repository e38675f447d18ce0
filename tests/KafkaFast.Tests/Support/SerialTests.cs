namespace KafkaFast.Tests.Support;

/// <summary>Tests that read process-wide figures (RSS, threads, allocated bytes) run alone, after the parallel ones.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SerialTests
{
    public const string Name = "serial (process-wide measurements)";
}

using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;

// BenchmarkDotNet microbenchmarks of the enqueue path alone: no broker answers while they are measured.
// Run all:  dotnet run -c Release --project bench/KafkaFast.Microbenchmarks -- --filter '*'
// Quicker:  ... -- --filter '*' --job short
BenchmarkSwitcher.FromAssembly(typeof(KafkaFast.Microbenchmarks.MicroCluster).Assembly)
    .Run(args, DefaultConfig.Instance.WithOptions(ConfigOptions.JoinSummary));

using KafkaFast.AspNetCore.Gateway;
using KafkaFast.Tests.Layering;
using Mono.Cecil;

namespace KafkaFast.AspNetCore.Tests.Layering;

/// <summary>
/// The layer rule of KafkaFast.AspNetCore (docs/ARCHITECTURE.md, "KafkaFast.AspNetCore's layers"), checked on the
/// compiled assembly: every type reference, method bodies included, goes to the type's own layer or to one its layer
/// may use; only the gateway (and the entry points) reference YARP.
/// </summary>
public sealed class AspNetCoreLayerTests : IDisposable
{
    /// <summary>The entry points (AddKafkaFast, UseKafkaRequestEvents, AddKafkaFastGateway...) live in the namespaces of the types they extend.</summary>
    private const string EntryPoints = "EntryPoints";

    /// <summary>Which layers each layer may use besides itself.</summary>
    private static readonly Dictionary<string, string[]> s_mayUse = new()
    {
        ["Root"] = [],
        ["Options"] = ["Root"],
        ["Hosting"] = ["Options", "Root"],
        ["Diagnostics"] = ["Hosting", "Options", "Root"],
        ["HealthChecks"] = ["Hosting", "Options", "Root"],
        ["RequestEvents"] = ["Diagnostics", "Hosting", "Options", "Root"],
        ["Gateway"] = ["RequestEvents", "Options", "Root"],
        [EntryPoints] = ["Gateway", "RequestEvents", "Diagnostics", "HealthChecks", "Hosting", "Options", "Root"],
    };

    /// <summary>The layers that may reference YARP (Yarp.ReverseProxy).</summary>
    private static readonly string[] s_mayUseYarp = ["Gateway", EntryPoints];

    private readonly ModuleDefinition _module = ModuleDefinition.ReadModule(typeof(KafkaFastGatewayOptions).Assembly.Location);

    public void Dispose() => _module.Dispose();

    /// <summary>The layer of a type of the assembly: the folder below KafkaFast.AspNetCore, Root, the entry points, or null (compiler-generated).</summary>
    internal static string? LayerOf(TypeReference type)
    {
        string ns = type.Namespace;
        if (ns == "KafkaFast.AspNetCore")
        {
            return "Root";
        }

        if (ns.StartsWith("KafkaFast.AspNetCore.", StringComparison.Ordinal))
        {
            return ns["KafkaFast.AspNetCore.".Length..].Split('.')[0];
        }

        return ns.StartsWith("Microsoft.", StringComparison.Ordinal) ? EntryPoints : null;
    }

    [Fact]
    public void Every_namespace_belongs_to_a_layer_of_the_rule()
    {
        string[] unknown = [.. _module.Types.Select(LayerOf).Where(l => l is not null && !s_mayUse.ContainsKey(l)).Distinct().Cast<string>()];
        Assert.True(unknown.Length == 0, $"Namespaces outside the layer rule (add them to docs/ARCHITECTURE.md and this test): {string.Join(", ", unknown)}");
    }

    [Fact]
    public void Every_layer_uses_only_itself_and_the_layers_below_it_and_only_the_gateway_uses_YARP()
    {
        var violations = new List<string>();
        foreach (var group in TypeReferenceScanner.Scan(_module).GroupBy(u => (From: u.From.FullName, To: u.To.FullName)).OrderBy(g => g.Key.From).ThenBy(g => g.Key.To))
        {
            TypeReferenceUse first = group.First();
            string? from = LayerOf(first.From);
            if (from is null)
            {
                continue;
            }

            string where = $"{group.Key.From} uses {group.Key.To} ({first.Where}{(group.Count() > 1 ? $", and {group.Count() - 1} more" : string.Empty)})";
            if (first.To.Scope is not ModuleDefinition)
            {
                if (IsYarp(first.To) && !s_mayUseYarp.Contains(from))
                {
                    violations.Add($"  {from} -> YARP: {where}");
                }

                continue;
            }

            string? to = LayerOf(first.To);
            if (to is not null && to != from && !s_mayUse[from].Contains(to))
            {
                violations.Add($"  {from} -> {to}: {where}");
            }
        }

        Assert.True(violations.Count == 0, $"{violations.Count} type references break the layer rule:\n{string.Join('\n', violations)}");
    }

    /// <summary>The check sees YARP where it is used (else the test above could not fail).</summary>
    [Fact]
    public void The_scan_sees_YARP_inside_the_gateway_and_calls_between_layers()
    {
        IReadOnlyList<TypeReferenceUse> uses = TypeReferenceScanner.Scan(_module);
        Assert.Contains(uses, u => u.From.FullName == "KafkaFast.AspNetCore.Gateway.UpstreamField" && IsYarp(u.To));
        Assert.Contains(uses, u => u.From.FullName == "KafkaFast.AspNetCore.RequestEvents.KafkaRequestEventsMiddleware"
            && u.To.FullName == "KafkaFast.AspNetCore.Hosting.KafkaProducerRegistry");
    }

    private static bool IsYarp(TypeReference type) =>
        type.Scope is AssemblyNameReference { Name: "Yarp.ReverseProxy" } || type.Namespace.StartsWith("Yarp.", StringComparison.Ordinal);
}

using KafkaFast.Producer;
using Mono.Cecil;

namespace KafkaFast.Tests.Layering;

/// <summary>
/// The layer rule of docs/ARCHITECTURE.md, checked on the compiled KafkaFast assembly: every type reference, including
/// those inside method bodies, must go to the type's own layer or to one its layer may use.
/// </summary>
public sealed class LayerTests : IDisposable
{
    /// <summary>Which layers each layer may use besides itself (docs/ARCHITECTURE.md, "The layer rule").</summary>
    private static readonly Dictionary<string, string[]> s_mayUse = new()
    {
        ["Native"] = [],
        ["Buffers"] = ["Native"],
        ["Root"] = [],
        ["Configuration"] = ["Root"],
        ["Producer"] = ["Buffers", "Native", "Configuration", "Root"],
        ["Consumer"] = ["Buffers", "Native", "Configuration", "Root"],
        ["Mock"] = ["Native", "Configuration", "Root"],
        ["Admin"] = ["Native", "Configuration", "Root"],
    };

    private readonly ModuleDefinition _module = ModuleDefinition.ReadModule(typeof(KafkaProducer).Assembly.Location);

    public void Dispose() => _module.Dispose();

    /// <summary>The layer of a namespace of the assembly: its first segment below "KafkaFast" (null: not ours, e.g. compiler-generated helpers).</summary>
    internal static string? LayerOf(string ns)
    {
        if (ns == "KafkaFast")
        {
            return "Root";
        }

        return ns.StartsWith("KafkaFast.", StringComparison.Ordinal) ? ns["KafkaFast.".Length..].Split('.')[0] : null;
    }

    [Fact]
    public void Every_namespace_belongs_to_a_layer_of_the_rule()
    {
        string[] unknown = [.. _module.Types
            .Select(t => LayerOf(t.Namespace))
            .Where(layer => layer is not null && !s_mayUse.ContainsKey(layer))
            .Distinct()
            .Cast<string>()];
        Assert.True(unknown.Length == 0, $"Namespaces outside the layer rule (add them to docs/ARCHITECTURE.md and this test): {string.Join(", ", unknown)}");
    }

    [Fact]
    public void Every_layer_uses_only_itself_and_the_layers_below_it()
    {
        string[] violations = [.. Violations(TypeReferenceScanner.Scan(_module))];
        Assert.True(violations.Length == 0, $"{violations.Length} type references break the layer rule:\n{string.Join('\n', violations)}");
    }

    /// <summary>The check sees references that exist only inside method bodies (else the test above could not fail).</summary>
    [Fact]
    public void The_scan_sees_references_made_only_inside_method_bodies()
    {
        // ProducerEngine mentions TopicName nowhere in its signatures, fields or attributes: only a call in a method body.
        IReadOnlyList<TypeReferenceUse> uses = TypeReferenceScanner.Scan(_module);
        Assert.Contains(uses, u => u.From.FullName == "KafkaFast.Producer.Engine.ProducerEngine"
            && u.To.FullName == "KafkaFast.Configuration.TopicName" && u.Where.StartsWith("body of ", StringComparison.Ordinal));

        // And a lambda's closure (a compiler-generated nested type) counts for the type that wrote the lambda.
        Assert.Contains(uses, u => u.From.FullName == "KafkaFast.Consumer.KafkaConsumer" && u.Where.Contains("<>c", StringComparison.Ordinal));
    }

    private static IEnumerable<string> Violations(IEnumerable<TypeReferenceUse> uses)
    {
        foreach (var group in uses.GroupBy(u => (From: u.From.FullName, To: u.To.FullName)).OrderBy(g => g.Key.From).ThenBy(g => g.Key.To))
        {
            TypeReferenceUse first = group.First();
            string? from = LayerOf(first.From.Namespace);
            string? to = first.To.Scope is ModuleDefinition ? LayerOf(first.To.Namespace) : null; // other assemblies' types have no layer here
            if (from is null || to is null || from == to || (s_mayUse.TryGetValue(from, out string[]? allowed) && allowed.Contains(to)))
            {
                continue;
            }

            yield return $"  {from} -> {to}: {group.Key.From} uses {group.Key.To} ({first.Where}{(group.Count() > 1 ? $", and {group.Count() - 1} more" : string.Empty)})";
        }
    }
}

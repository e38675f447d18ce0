namespace KafkaFast.Admin;

/// <summary>What a request is about, for error messages: "CreateTopics of 'orders', 'audit'".</summary>
/// <param name="Operation">The Admin API request, e.g. "CreateTopics".</param>
/// <param name="Subject">What it acts on, e.g. "topic 'orders'" or "group 'billing'"; empty for cluster-wide requests.</param>
internal readonly record struct AdminRequestName(string Operation, string Subject)
{
    internal static AdminRequestName Of(string operation, string kind, IReadOnlyList<string> names) =>
        new(operation, names.Count switch
        {
            0 => string.Empty,
            1 => $"{kind} '{names[0]}'",
            <= 5 => $"{kind}s {string.Join(", ", names.Select(n => $"'{n}'"))}",
            _ => $"{names.Count} {kind}s ('{names[0]}', '{names[1]}', ...)",
        });

    public override string ToString() => Subject.Length == 0 ? Operation : $"{Operation} of {Subject}";
}

using System.CommandLine;

namespace KafkaFast.Tool;

/// <summary>The options every command shares: where the cluster is (-b) and librdkafka properties (-X key=value).</summary>
internal sealed class ConnectionOptions
{
    internal Option<string?> Bootstrap { get; } = new("--bootstrap", "-b")
    {
        Description = "Bootstrap servers (host:port,...). Without it an embedded cluster is started inside kafkafast.",
    };

    internal Option<string[]> Properties { get; } = new("-X")
    {
        Description = "A librdkafka property, key=value (repeatable), e.g. -X security.protocol=SASL_SSL",
        AllowMultipleArgumentsPerToken = false,
        Arity = ArgumentArity.ZeroOrMore,
    };

    internal void AddTo(Command command)
    {
        command.Options.Add(Bootstrap);
        command.Options.Add(Properties);
    }

    /// <summary>Parses -X values; a malformed one is a usage error.</summary>
    internal Dictionary<string, string> ParseProperties(ParseResult parsed)
    {
        var properties = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string property in parsed.GetValue(Properties) ?? [])
        {
            int equals = property.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new UsageException($"-X '{property}': expected key=value");
            }

            properties[property[..equals]] = property[(equals + 1)..];
        }

        return properties;
    }
}

namespace KafkaFast.Admin;

/// <summary>
/// An admin request failed, as a whole (<see cref="Results"/> empty: timeout, unreachable cluster, unsupported
/// request) or for some of its items (a topic that already exists, a group the broker does not know...). The message
/// names the operation, every failed item and librdkafka's reason; <see cref="KafkaException.Code"/> is the first failure's.
/// </summary>
public sealed class KafkaAdminException : KafkaException
{
    /// <summary>Creates the exception.</summary>
    public KafkaAdminException(string operation, KafkaErrorCode code, string message, IReadOnlyList<AdminItemResult> results)
        : base(code, message)
    {
        Operation = operation;
        Results = results;
    }

    /// <summary>The Admin API request, e.g. "CreateTopics".</summary>
    public string Operation { get; }

    /// <summary>Every item of the request (topic, group, partition) with its outcome; empty when the request failed as a whole.</summary>
    public IReadOnlyList<AdminItemResult> Results { get; }
}

/// <summary>The outcome of one item of an admin request.</summary>
/// <param name="Name">The topic, group, resource or partition ("topic [p]").</param>
/// <param name="Error"><see cref="KafkaErrorCode.NoError"/> when this item succeeded.</param>
/// <param name="Reason">librdkafka's or the broker's reason; empty on success.</param>
public sealed record AdminItemResult(string Name, KafkaErrorCode Error, string Reason)
{
    /// <summary>Whether this item succeeded.</summary>
    public bool Succeeded => Error == KafkaErrorCode.NoError;
}

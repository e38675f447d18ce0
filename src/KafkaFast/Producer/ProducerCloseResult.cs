namespace KafkaFast.Producer;

/// <summary>How a producer's life ended: what it accepted, delivered and failed in all, and what the close purged.</summary>
/// <param name="Accepted">Messages accepted over the producer's life.</param>
/// <param name="Delivered">Messages delivered.</param>
/// <param name="Failed">Messages failed (including those purged at close).</param>
/// <param name="PurgedAtClose">Messages failed because the close timeout passed before they were delivered.</param>
public readonly record struct ProducerCloseResult(long Accepted, long Delivered, long Failed, long PurgedAtClose);

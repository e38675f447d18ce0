namespace KafkaFast.Producer;

/// <summary>A partition whose messages have made no progress for a while (see <see cref="ProducerStatistics.StalledPartitions"/>).</summary>
/// <param name="Topic">The topic.</param>
/// <param name="Partition">The partition.</param>
/// <param name="MessagesWaiting">Messages waiting in the producer to be handed to librdkafka.</param>
/// <param name="MessagesInFlight">Messages handed to librdkafka that have no delivery report yet.</param>
/// <param name="SinceLastProgress">How long since the partition last had a hand-off or a delivery report.</param>
public sealed record StalledPartition(string Topic, int Partition, int MessagesWaiting, int MessagesInFlight, TimeSpan SinceLastProgress);

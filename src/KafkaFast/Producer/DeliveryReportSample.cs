namespace KafkaFast.Producer;

/// <summary>
/// One delivery report in every <see cref="KafkaProducerOptions.DeliveryReportSampleInterval"/>, handed to
/// <see cref="KafkaProducerOptions.DeliveryReportSampled"/>: delivery latency for metrics without awaiting a produce call.
/// </summary>
/// <param name="Topic">The message's topic.</param>
/// <param name="Partition">Its partition (-1 when it failed before one was chosen).</param>
/// <param name="Error"><see cref="KafkaErrorCode.NoError"/> when delivered, else why it failed.</param>
/// <param name="Latency">
/// From the moment the producer's worker handed the message to librdkafka to the moment the worker took its delivery
/// report (librdkafka's <c>rd_kafka_message_latency</c>). The time a message waits in the producer's buffer before the
/// hand-over (about a millisecond when the worker is busy) is not included.
/// </param>
public readonly record struct DeliveryReportSample(string Topic, int Partition, KafkaErrorCode Error, TimeSpan Latency);

namespace KafkaFast.Producer.Engine;

/// <summary>Where a worker calls <see cref="ProducerEngine.WorkerFaultHook"/> (tests make a worker fail on purpose there).</summary>
internal enum WorkerFaultPoint
{
    /// <summary>The top of every pass of the worker loop, before the scan.</summary>
    Pass,

    /// <summary>A delivery-report event was polled and is about to be taken (its reports are lost if the hook throws).</summary>
    DeliveryReports,
}

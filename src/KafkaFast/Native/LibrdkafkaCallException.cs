namespace KafkaFast.Native;

/// <summary>A librdkafka call returned an error code (the native layer's own; callers turn it into their public exception).</summary>
internal sealed class LibrdkafkaCallException(int code, string reason) : Exception(reason)
{
    /// <summary>rd_kafka_resp_err_t.</summary>
    internal int Code { get; } = code;
}

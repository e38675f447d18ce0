namespace KafkaFast.Consumer;

/// <summary>Which messages of transactional producers a consumer sees (isolation.level).</summary>
public enum IsolationLevel
{
    /// <summary>Only messages of committed transactions, and only up to the last stable offset (librdkafka's default).</summary>
    ReadCommitted = 0,

    /// <summary>Every message, including those of open or aborted transactions.</summary>
    ReadUncommitted = 1,
}

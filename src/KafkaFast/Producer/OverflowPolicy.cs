namespace KafkaFast.Producer;

/// <summary>What an awaitable produce does when the producer's memory budget is full.</summary>
/// <remarks>Synchronous <c>TryProduce</c> calls never wait: they return false at once whatever the policy.</remarks>
public enum OverflowPolicy
{
    /// <summary>Fail at once (counted as <see cref="ProduceRejectReason.BudgetFull"/>).</summary>
    Reject,
    /// <summary>Wait for space up to <see cref="KafkaProducerOptions.OverflowTimeout"/>, then fail.</summary>
    Wait,
}

namespace KafkaFast.Tool;

/// <summary>A command could not do its job for a reason the user must see (unreachable cluster, unknown topic, input the producer cannot send): one line, exit code 1.</summary>
internal sealed class CommandFailedException(string message) : Exception(message);

namespace KafkaFast.Tool;

/// <summary>A bad argument found after parsing (e.g. a malformed -X property): reported in one line with exit code 2.</summary>
internal sealed class UsageException(string message) : Exception(message);

namespace KafkaFast.Configuration;

/// <summary>Kafka's rules for topic names: 1..249 characters of [a-zA-Z0-9._-], and not "." or "..".</summary>
internal static class TopicName
{
    internal const int MaxLength = 249;

    internal static void Validate(string topic, string paramName = "topic")
    {
        ArgumentNullException.ThrowIfNull(topic, paramName);
        if (topic.Length == 0)
        {
            throw new ArgumentException("Topic name is empty.", paramName);
        }

        if (topic.Length > MaxLength)
        {
            throw new ArgumentException($"Topic name is {topic.Length} characters long; Kafka allows at most {MaxLength}.", paramName);
        }

        if (topic is "." or "..")
        {
            throw new ArgumentException($"Topic name '{topic}' is not allowed.", paramName);
        }

        foreach (char c in topic)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
            {
                throw new ArgumentException($"Topic name '{topic}' contains '{c}'; only ASCII letters, digits, '.', '_' and '-' are allowed.", paramName);
            }
        }
    }
}

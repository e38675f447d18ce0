namespace KafkaFast.Configuration;

/// <summary>Kafka's rules for topic names: 1..249 characters of [a-zA-Z0-9._-], and not "." or "..".</summary>
public static class TopicName
{
    /// <summary>The longest topic name Kafka accepts.</summary>
    public const int MaxLength = 249;

    /// <summary>What is wrong with <paramref name="topic"/> as a topic name (to follow the topic: "'a b' contains ' '..."), or null when it is valid.</summary>
    public static string? GetError(string? topic)
    {
        if (string.IsNullOrEmpty(topic))
        {
            return "is empty";
        }

        if (topic.Length > MaxLength)
        {
            return $"is {topic.Length} characters long; Kafka allows at most {MaxLength}";
        }

        if (topic is "." or "..")
        {
            return $"'{topic}' is not allowed (Kafka reserves \".\" and \"..\")";
        }

        foreach (char c in topic)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
            {
                return $"'{topic}' contains '{c}'; topic names allow only ASCII letters, digits, '.', '_' and '-'";
            }
        }

        return null;
    }

    internal static void Validate(string topic, string paramName = "topic")
    {
        ArgumentNullException.ThrowIfNull(topic, paramName);
        if (GetError(topic) is string error)
        {
            throw new ArgumentException($"Topic name {error}.", paramName);
        }
    }
}

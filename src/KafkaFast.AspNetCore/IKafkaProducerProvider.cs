using KafkaFast.AspNetCore.Options;
using KafkaFast.Mock;
using KafkaFast.Producer;

namespace KafkaFast.AspNetCore;

/// <summary>
/// The application's named producers (registered with <c>AddKafkaFast</c>). They are created when the host starts
/// (or on first use, if that is earlier) and closed, with a bounded drain, when it stops. The producer named
/// <see cref="HostedProducerOptions.DefaultName"/> is also injectable as <see cref="KafkaProducer"/>, and every
/// producer as a keyed service (<c>[FromKeyedServices("name")] KafkaProducer</c>).
/// </summary>
public interface IKafkaProducerProvider
{
    /// <summary>The registered producer names.</summary>
    IReadOnlyCollection<string> Names { get; }

    /// <summary>The producer named <paramref name="name"/>. Throws <see cref="InvalidOperationException"/> for an unknown name.</summary>
    KafkaProducer GetProducer(string name = HostedProducerOptions.DefaultName);

    /// <summary>
    /// The embedded cluster, when a producer uses one (<see cref="HostedProducerOptions.UseEmbeddedCluster"/>):
    /// its <see cref="KafkaMockCluster.BootstrapServers"/> for consumers, and fault injection for tests. Null otherwise.
    /// </summary>
    KafkaMockCluster? EmbeddedCluster { get; }
}

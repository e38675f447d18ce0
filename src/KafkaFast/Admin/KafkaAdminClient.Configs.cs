using KafkaFast.Native;

namespace KafkaFast.Admin;

public sealed partial class KafkaAdminClient
{
    /// <summary>Every configuration value of a topic, broker or group, ordered by name (sensitive values are null).</summary>
    /// <exception cref="ArgumentException">The resource's type or name is invalid.</exception>
    /// <exception cref="KafkaAdminException">The request failed, or the resource could not be described (e.g. an unknown topic).</exception>
    public Task<IReadOnlyList<ConfigEntry>> DescribeConfigsAsync(ConfigResource resource, CancellationToken cancellationToken = default)
    {
        AdminArguments.Resource(resource, nameof(resource));
        var request = new AdminRequestName("DescribeConfigs", resource.ToString());
        return Start(request, LibRdKafka.AdminOpDescribeConfigs, 0,
            (rk, queue, settings) => AdminCalls.DescribeConfigs(rk, queue, settings, (int)resource.Type, resource.Name),
            ev =>
            {
                AdminNativeConfigResource[] resources = AdminEvents.ConfigResources(ev);
                AdminErrors.ThrowIfAnyFailed(request, [.. resources.Select(r => AdminErrors.Item(r.Name, r.Error))]);
                return (IReadOnlyList<ConfigEntry>)[.. resources.SelectMany(r => r.Entries)
                    .Select(e => new ConfigEntry(e.Name, e.Value, (ConfigSource)e.Source, e.IsReadOnly, e.IsDefault, e.IsSensitive))
                    .OrderBy(e => e.Name, StringComparer.Ordinal)];
            }, cancellationToken);
    }

    /// <summary>
    /// Changes some configuration values of a resource and leaves the others as they are (Kafka's
    /// IncrementalAlterConfigs, brokers 2.3 and later).
    /// </summary>
    /// <exception cref="ArgumentException">The resource or an alteration is invalid, or a name appears twice.</exception>
    /// <exception cref="KafkaAdminException">The request failed, or the broker refused a change (e.g. <see cref="KafkaErrorCode.InvalidConfig"/>).</exception>
    public Task IncrementalAlterConfigsAsync(ConfigResource resource, IEnumerable<ConfigAlteration> alterations, CancellationToken cancellationToken = default)
    {
        AdminArguments.Resource(resource, nameof(resource));
        (string, int, string?)[] changes = [.. AdminArguments.Alterations(alterations, nameof(alterations)).Select(a => (a.Name, (int)a.Operation, a.Operation == ConfigAlterationType.Delete ? null : a.Value))];
        var request = new AdminRequestName("IncrementalAlterConfigs", resource.ToString());
        return Start(request, LibRdKafka.AdminOpIncrementalAlterConfigs, 0,
            (rk, queue, settings) => AdminCalls.IncrementalAlterConfigs(rk, queue, settings, (int)resource.Type, resource.Name, changes),
            ev =>
            {
                AdminErrors.ThrowIfAnyFailed(request, [.. AdminEvents.ConfigResources(ev).Select(r => AdminErrors.Item(r.Name, r.Error))]);
                return true;
            }, cancellationToken);
    }
}

using KafkaFast.Native;

namespace KafkaFast.Admin;

public sealed partial class KafkaAdminClient
{
    /// <summary>
    /// Asks each partition's leader for an offset: the earliest, the latest (the end), the one with the largest
    /// timestamp, or the first at or after a time. Uncommitted transactional messages count (read_uncommitted).
    /// </summary>
    /// <param name="partitions">The partitions to ask.</param>
    /// <param name="spec">Which offset.</param>
    /// <param name="cancellationToken">Stops the wait.</param>
    /// <returns>One offset per partition, ordered by partition.</returns>
    /// <exception cref="KafkaAdminException">The request failed, or a partition could not be asked (e.g. it does not exist).</exception>
    public Task<IReadOnlyList<ListedOffset>> ListOffsetsAsync(IEnumerable<TopicPartition> partitions, OffsetSpec spec, CancellationToken cancellationToken = default)
    {
        TopicPartition[] list = AdminArguments.Partitions(partitions, nameof(partitions));
        (string, int, long)[] specs = [.. list.Select(p => (p.Topic, p.Partition, spec.Value))];
        var request = AdminRequestName.Of("ListOffsets", "partition", [.. list.Select(p => p.ToString())]);
        return Start(request, LibRdKafka.AdminOpListOffsets, 0,
            (rk, queue, settings) => AdminCalls.ListOffsets(rk, queue, settings, specs, isolationLevel: 0),
            ev =>
            {
                AdminNativeListedOffset[] listed = AdminEvents.ListedOffsets(ev);
                AdminErrors.ThrowIfAnyFailed(request, [.. listed.Select(o => AdminErrors.Item($"{o.Topic} [{o.Partition}]",
                    new AdminNativeError(o.Error, o.Error == 0 ? string.Empty : LibRdKafka.ErrorText(o.Error))))]);
                return (IReadOnlyList<ListedOffset>)[.. listed
                    .Select(o => new ListedOffset(new TopicPartition(o.Topic, o.Partition), o.Offset, o.Timestamp))
                    .OrderBy(o => o.Partition)];
            }, cancellationToken);
    }
}

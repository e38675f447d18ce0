using KafkaFast.Chaos.Messages;
using KafkaFast.Producer;

namespace KafkaFast.Chaos.Producing;

/// <summary>
/// Reads the producer's <c>Failures</c> channel as an application would, and writes each failure's id (read back from
/// the copy of the value it carries) to <see cref="OutcomeFiles.Failures"/>. Counts reasons, failures without a
/// reason, and failures whose copied bytes are not the message that was sent.
/// </summary>
internal sealed class FailureRecorder(KafkaProducer producer, string path)
{
    private readonly Dictionary<KafkaErrorCode, string> _reasons = [];
    private Task? _task;

    internal long Recorded { get; private set; }

    internal long WithoutReason { get; private set; }

    /// <summary>Failures whose copied value is not a message of this run (damaged copies).</summary>
    internal long Unidentified { get; private set; }

    internal List<string> Examples { get; } = [];

    internal void Start() => _task = Task.Run(RunAsync);

    /// <summary>Waits for the channel to complete (it does after the producer closes).</summary>
    internal bool Wait(TimeSpan timeout) => _task!.Wait(timeout);

    /// <summary>The first reason seen per error code.</summary>
    internal IReadOnlyDictionary<KafkaErrorCode, string> Reasons => _reasons;

    private async Task RunAsync()
    {
        using var writer = new BinaryWriter(new BufferedStream(File.Create(path), 1 << 16));
        await foreach (DeliveryFailure failure in producer.Failures.ReadAllAsync())
        {
            Recorded++;
            if (string.IsNullOrWhiteSpace(failure.Reason))
            {
                WithoutReason++;
            }

            if (!_reasons.ContainsKey(failure.Error))
            {
                _reasons[failure.Error] = failure.Reason; // one reason per code is enough for the report
            }

            if (!MessageFactory.TryReadId(failure.Value, out MessageId id, out string? problem))
            {
                Unidentified++;
                if (Examples.Count < 5)
                {
                    Examples.Add($"failure report {failure} carries a value that is not the message sent: {problem}");
                }

                continue;
            }

            new OutcomeFiles.FailureRecord(id.Packed, failure.Partition, (int)failure.Error, (byte)failure.Status).Write(writer);
        }
    }
}

using System.Diagnostics;
using System.Globalization;
using KafkaFast.Measurement;

namespace KafkaFast.Benchmarks.Broker;

/// <summary>
/// The parent's side of <see cref="BrokerHost"/>: starts this same program in broker-host mode, reads the
/// bootstrap string, and sends commands (a fresh topic per scenario run, broker RTT for the overload scenario).
/// </summary>
internal sealed class BrokerProcess : IDisposable
{
    private static readonly TimeSpan ReplyTimeout = TimeSpan.FromSeconds(30);

    private readonly Process _process;
    private readonly Lock _lock = new();
    private int _topicCounter;

    private BrokerProcess(Process process, string bootstrap)
    {
        _process = process;
        BootstrapServers = bootstrap;
    }

    internal string BootstrapServers { get; }

    internal int ProcessId => _process.Id;

    /// <summary>Starts the broker host (3 brokers by default) and waits for its bootstrap string.</summary>
    internal static BrokerProcess Start(int brokerCount)
    {
        ProcessStartInfo info = SelfProcess.StartInfo(BrokerHost.Mode, brokerCount.ToString(CultureInfo.InvariantCulture));
        info.RedirectStandardInput = true;
        var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {info.FileName} in broker-host mode.");
        string? first = ReadLineWithTimeout(process, ReplyTimeout);
        if (first is null || !first.StartsWith("bootstrap ", StringComparison.Ordinal))
        {
            process.Kill();
            throw new InvalidOperationException($"The broker host did not start: '{first}'.");
        }

        return new BrokerProcess(process, first["bootstrap ".Length..]);
    }

    /// <summary>Creates a new, uniquely named topic and returns its name.</summary>
    internal string CreateTopic(string prefix, int partitions)
    {
        string name = $"{prefix}-{Interlocked.Increment(ref _topicCounter)}-{Environment.TickCount64 % 100_000}";
        Send($"topic {name} {partitions}");
        return name;
    }

    /// <summary>Sets every broker's round-trip time, or only broker <paramref name="brokerId"/>'s (1..brokers).</summary>
    internal void SetRoundTripTime(TimeSpan rtt, int? brokerId = null) =>
        Send(brokerId is { } id ? $"rtt {(int)rtt.TotalMilliseconds} {id}" : $"rtt {(int)rtt.TotalMilliseconds}");

    /// <summary>Takes broker <paramref name="brokerId"/> down (connections closed, new ones refused).</summary>
    internal void SetBrokerDown(int brokerId) => Send($"down {brokerId}");

    /// <summary>Brings broker <paramref name="brokerId"/> back up.</summary>
    internal void SetBrokerUp(int brokerId) => Send($"up {brokerId}");

    /// <summary>The next requests of type <paramref name="apiKey"/> (on any broker) fail with <paramref name="errors"/>, in order.</summary>
    internal void PushRequestErrors(short apiKey, IEnumerable<int> errors) =>
        Send($"errors {apiKey} {string.Join(',', errors.Select(e => e.ToString(CultureInfo.InvariantCulture)))}");

    /// <summary>Moves the leadership of <paramref name="topic"/>[<paramref name="partition"/>] to broker <paramref name="brokerId"/>.</summary>
    internal void SetPartitionLeader(string topic, int partition, int brokerId) => Send($"leader {topic} {partition} {brokerId}");

    /// <summary>Sets the consumer groups' initial rebalance delay (librdkafka's mock: 3 s by default).</summary>
    internal void SetGroupInitialRebalanceDelay(TimeSpan delay) => Send($"group-delay {(int)delay.TotalMilliseconds}");

    /// <summary>CPU the broker host has used so far, in nanoseconds.</summary>
    internal long CpuNanoseconds => ProcessCpu.OfProcessNanoseconds(_process.Id);

    /// <summary>The broker host's resident memory, in bytes.</summary>
    internal long ResidentBytes => ProcessMemory.ResidentBytesOf(_process.Id);

    private void Send(string command)
    {
        lock (_lock)
        {
            _process.StandardInput.WriteLine(command);
            _process.StandardInput.Flush();
            string? reply = ReadLineWithTimeout(_process, ReplyTimeout);
            if (reply is null || !reply.StartsWith("ok", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"Broker host refused '{command}': {reply ?? "no answer"}");
            }
        }
    }

    private static string? ReadLineWithTimeout(Process process, TimeSpan timeout)
    {
        Task<string?> read = process.StandardOutput.ReadLineAsync();
        return read.Wait(timeout) ? read.Result : null;
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.StandardInput.WriteLine("quit");
                _process.StandardInput.Close();
                if (!_process.WaitForExit(10_000))
                {
                    _process.Kill();
                }
            }
        }
        catch (Exception e) when (e is IOException or InvalidOperationException)
        {
            // Already gone.
        }

        _process.Dispose();
    }
}

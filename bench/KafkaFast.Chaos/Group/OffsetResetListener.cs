using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;

namespace KafkaFast.Chaos.Group;

/// <summary>
/// The group members' logger: it keeps librdkafka's log lines off the console and watches for one of them, the
/// offset reset librdkafka logs when a member asks for an offset the brokers no longer hold ("offset reset (at
/// offset 593 ...) to ... BEGINNING offset 1967"). Those offsets were dropped before the group read them: the run
/// cannot vouch for them, but they are not a loss by the consumer.
/// </summary>
internal sealed partial class OffsetResetListener(GroupLedger ledger) : ILoggerFactory, ILogger
{
    /// <summary>Log lines seen at Warning or above (other than offset resets).</summary>
    internal long Warnings;

    public ILogger CreateLogger(string categoryName) => this;

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel))
        {
            return;
        }

        if (!Parse(formatter(state, exception), ledger))
        {
            Interlocked.Increment(ref Warnings);
        }
    }

    /// <summary>Records the dropped range if <paramref name="text"/> is librdkafka's offset-reset line.</summary>
    internal static bool Parse(string text, GroupLedger ledger)
    {
        Match reset = ResetPattern().Match(text);
        if (!reset.Success)
        {
            return false;
        }

        int partition = int.Parse(reset.Groups["p"].Value, CultureInfo.InvariantCulture);
        long from = long.TryParse(reset.Groups["from"].Value, CultureInfo.InvariantCulture, out long f) ? f : 0;
        ledger.RecordDropped(partition, from, long.Parse(reset.Groups["to"].Value, CultureInfo.InvariantCulture));
        return true;
    }

    public void Dispose()
    {
    }

    [GeneratedRegex(@"\[(?<p>\d+)\]: offset reset \(at offset (?<from>\S+?)[ ,(].*? to .*?BEGINNING offset (?:offset )?(?<to>\d+)")]
    private static partial Regex ResetPattern();
}

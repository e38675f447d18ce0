using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace KafkaFast.AspNetCore.Tests.Support;

/// <summary>Captures every log line of a test application (formatted message, exception and scope-free state values).</summary>
internal sealed class LogSink : ILoggerProvider
{
    private readonly ConcurrentQueue<Entry> _entries = new();

    internal sealed record Entry(string Category, LogLevel Level, EventId EventId, string Message, string? Exception, string State);

    public IReadOnlyList<Entry> Entries => [.. _entries];

    public IEnumerable<Entry> Where(string eventName) => _entries.Where(e => e.EventId.Name == eventName);

    /// <summary>Everything written, as text: messages, exceptions and every structured value.</summary>
    public string AllText => string.Join('\n', _entries.Select(e => $"{e.Level} {e.Category}[{e.EventId}] {e.Message} {e.State} {e.Exception}"));

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(LogSink sink, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            string values = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join("; ", pairs.Select(p => $"{p.Key}={p.Value}")) : string.Empty;
            sink._entries.Enqueue(new Entry(category, logLevel, eventId, formatter(state, exception), exception?.ToString(), values));
        }
    }
}

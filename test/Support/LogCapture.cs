using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace LettaSockets.Testing;

/// <summary>A logger provider that keeps every entry with the values of its enclosing scopes.</summary>
public sealed class LogCapture : ILoggerProvider, ISupportExternalScope
{
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    public ConcurrentQueue<Entry> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new CaptureLogger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose()
    {
    }

    public sealed record Entry(string Category, EventId EventId, LogLevel Level, string Message, IReadOnlyDictionary<string, object?> Scope)
    {
        /// <summary>The exception logged with the entry, if any.</summary>
        public Exception? Exception { get; init; }
    }

    private sealed class CaptureLogger(LogCapture owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => owner._scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var scope = new Dictionary<string, object?>();
            owner._scopes.ForEachScope(static (s, values) =>
            {
                if (s is IEnumerable<KeyValuePair<string, object?>> pairs)
                {
                    foreach ((string key, object? value) in pairs)
                    {
                        values[key] = value;
                    }
                }
            }, scope);
            owner.Entries.Enqueue(new Entry(category, eventId, logLevel, formatter(state, exception), scope) { Exception = exception });
        }
    }
}

using System.Collections.Concurrent;
using System.Text;
using Microsoft.Extensions.Logging;

namespace LettaSockets.Testing;

/// <summary>
/// A logger provider that keeps, for every entry at every level, all the text any sink could write:
/// category, formatted message, the state's values, every enclosing scope's values and the exception.
/// Tests search it for secrets.
/// </summary>
public sealed class LogSink : ILoggerProvider, ISupportExternalScope
{
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    public ConcurrentQueue<string> Lines { get; } = new();

    /// <summary>Settings that send every level of every category here and keep the console quiet.</summary>
    public static IEnumerable<KeyValuePair<string, string?>> TraceSettings =>
    [
        new("Logging:LogLevel:Default", "Trace"),
        new("Logging:LogLevel:LettaSockets", "Trace"),
        new("Logging:LogLevel:Microsoft", "Trace"),
        new("Logging:LogLevel:System", "Trace"),
        new("Logging:LogLevel:Microsoft.AspNetCore", "Trace"),
        new("Logging:LogLevel:System.Net.Http.HttpClient", "Trace"),
        new("Logging:LogLevel:LettaSockets.Simulator", "Trace"),
        new("Logging:Console:LogLevel:Default", "None"),
    ];

    public ILogger CreateLogger(string categoryName) => new SinkLogger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    /// <summary>Lines that contain <paramref name="text"/>.</summary>
    public List<string> Containing(string text) => Lines.Where(l => l.Contains(text, StringComparison.Ordinal)).ToList();

    public void Dispose()
    {
    }

    private sealed class SinkLogger(LogSink owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => owner._scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var line = new StringBuilder().Append(category).Append(" [").Append(eventId.Id).Append("] ").Append(formatter(state, exception));
            Append(line, state);
            owner._scopes.ForEachScope(static (scope, l) => Append(l, scope), line);
            if (exception is not null)
            {
                line.Append(" | ").Append(exception);
            }

            owner.Lines.Enqueue(line.ToString());
        }

        private static void Append(StringBuilder line, object? values)
        {
            if (values is IEnumerable<KeyValuePair<string, object?>> pairs)
            {
                foreach ((string key, object? value) in pairs)
                {
                    line.Append(" | ").Append(key).Append('=').Append(value);
                }
            }
            else if (values is not null)
            {
                line.Append(" | ").Append(values);
            }
        }
    }
}

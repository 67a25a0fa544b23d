using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Portal.Tests.TestSupport;

/// <summary>One log entry as a provider got it: level, category, the formatted message and the exception.</summary>
public sealed record CapturedLog(LogLevel Level, string Category, string Message, Exception? Exception)
{
    /// <summary>What a log sink would write: the message, then the exception with its stack trace.</summary>
    public string Text => Exception is null ? Message : $"{Message}\n{Exception}";
}

/// <summary>A logging provider that keeps every entry (from Warning up, as CoreHost logs), for tests of what the log says.</summary>
public sealed class LogCapture : ILoggerProvider
{
    private readonly ConcurrentQueue<CapturedLog> _entries = new();

    public IReadOnlyList<CapturedLog> Entries => [.. _entries];

    /// <summary>Adds the capture to a host's logging.</summary>
    public void AddTo(IServiceCollection services) => services.AddLogging(b => b.AddProvider(this));

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(LogCapture capture, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            capture._entries.Enqueue(new CapturedLog(logLevel, category, formatter(state, exception), exception));
    }
}

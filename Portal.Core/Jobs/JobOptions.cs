namespace Portal.Core.Jobs;

/// <summary>The <c>Jobs</c> configuration section.</summary>
public sealed class JobOptions
{
    public const string Section = "Jobs";

    /// <summary>Attempts before a failing job is marked Failed (the first run counts).</summary>
    public int MaxAttempts { get; set; } = 3;

    /// <summary>Backoff before retry n is <c>RetryBaseSeconds * 2^(n-1)</c>, capped at <see cref="RetryMaxSeconds"/>.</summary>
    public double RetryBaseSeconds { get; set; } = 10;

    public double RetryMaxSeconds { get; set; } = 600;

    /// <summary>Jobs that may run at the same time.</summary>
    public int MaxConcurrency { get; set; } = 2;

    /// <summary>Progress writes closer together than this are skipped (the last one always lands).</summary>
    public int ProgressIntervalMilliseconds { get; set; } = 250;

    /// <summary>The shortest time a cron schedule may leave between two runs; an expression that runs more often is refused.</summary>
    public int MinScheduleIntervalSeconds { get; set; } = 60;

    public TimeSpan BackoffFor(int attempt)
    {
        var seconds = RetryBaseSeconds * Math.Pow(2, Math.Max(0, attempt - 1));
        return TimeSpan.FromSeconds(Math.Min(seconds, RetryMaxSeconds));
    }
}

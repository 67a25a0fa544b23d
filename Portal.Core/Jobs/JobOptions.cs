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

    /// <summary>The longest <see cref="InstanceId"/> (the column's length).</summary>
    public const int MaxInstanceIdLength = 200;

    /// <summary>
    /// This portal instance's name on the jobs it claims. Instances sharing a database need different ones; the same
    /// instance keeps its name across restarts, so at start it takes back the jobs it was running when it stopped.
    /// Defaults to the machine name.
    /// </summary>
    public string? InstanceId { get; set; }

    /// <summary>How long a running job's claim lasts without renewal; the owner renews it every third of this.</summary>
    public double LeaseSeconds { get; set; } = 60;

    /// <summary><see cref="InstanceId"/>, or the machine name when none is set, cut to the column's length.</summary>
    public string ResolvedInstanceId
    {
        get
        {
            var id = string.IsNullOrWhiteSpace(InstanceId) ? Environment.MachineName : InstanceId.Trim();
            return id.Length > MaxInstanceIdLength ? id[..MaxInstanceIdLength] : id;
        }
    }

    public TimeSpan Lease => TimeSpan.FromSeconds(Math.Max(1, LeaseSeconds));

    public TimeSpan BackoffFor(int attempt)
    {
        var seconds = RetryBaseSeconds * Math.Pow(2, Math.Max(0, attempt - 1));
        return TimeSpan.FromSeconds(Math.Min(seconds, RetryMaxSeconds));
    }
}

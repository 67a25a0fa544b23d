namespace Portal.Core.Maintenance;

/// <summary>
/// How long the daily retention job keeps history (section <c>Retention</c>). An age of 0 or less keeps that kind of
/// row forever. Whatever the ages, the job never removes a queued or running job, a running export run, the latest
/// export run of each audience and adtech, or the latest refresh of each segment.
/// </summary>
public sealed class RetentionOptions
{
    public const string Section = "Retention";

    /// <summary>Finished jobs (succeeded, failed, cancelled), by when they finished.</summary>
    public int JobDays { get; set; } = 30;

    /// <summary>Finished export runs, by when they finished.</summary>
    public int ExportRunDays { get; set; } = 180;

    /// <summary>Segment refresh history, by when the refresh started.</summary>
    public int RefreshHistoryDays { get; set; } = 180;

    /// <summary>Audit log entries, by when they were written.</summary>
    public int AuditDays { get; set; } = 365;

    /// <summary>
    /// Bucket files no state file, row or live job refers to (member data, sync snapshots and history of deleted
    /// audiences, uploads no job will read, staged and stored import files no import committed) are removed once they
    /// are this old; younger ones may belong to work in progress.
    /// </summary>
    public int OrphanFileHours { get; set; } = 24;

    /// <summary>Rows deleted per statement: each batch is its own short transaction.</summary>
    public int BatchSize { get; set; } = 1000;
}

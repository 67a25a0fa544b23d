namespace Portal.Core.Jobs;

/// <summary>
/// The durable row behind every background job. Coravel's queue lives in memory; this row is what survives a restart.
/// </summary>
public sealed class JobRecord
{
    public long Id { get; set; }
    public required string Kind { get; set; }
    public required string Title { get; set; }
    /// <summary>Job-kind specific input, JSON.</summary>
    public string? Payload { get; set; }
    public JobStatus Status { get; set; }
    public int ProgressDone { get; set; }
    public int ProgressTotal { get; set; }
    public string? ProgressMessage { get; set; }
    public int Attempts { get; set; }
    public int MaxAttempts { get; set; }
    /// <summary>The last error; kept when a retry later succeeds so the history stays visible.</summary>
    public string? Error { get; set; }
    public required string RequestedBy { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? StartedAt { get; set; }
    public DateTime? FinishedAt { get; set; }
    /// <summary>Set on a queued retry: the job is not dispatched before this time.</summary>
    public DateTime? NotBefore { get; set; }
    public bool CancelRequested { get; set; }
    public long? ScheduleId { get; set; }
    /// <summary>The instance (<see cref="JobOptions.InstanceId"/>) that claimed the job; kept after it finishes, to show where it ran.</summary>
    public string? LeaseOwner { get; set; }
    /// <summary>While Running: the owner renews this; once it has passed, the owner is taken for dead and any instance re-queues the job.</summary>
    public DateTime? LeaseExpiresAt { get; set; }

    public double Percent => ProgressTotal <= 0 ? (Status == JobStatus.Succeeded ? 100 : 0) : 100.0 * ProgressDone / ProgressTotal;

    public bool IsFinished => Status is JobStatus.Succeeded or JobStatus.Failed or JobStatus.Cancelled;
}

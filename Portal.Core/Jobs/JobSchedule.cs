namespace Portal.Core.Jobs;

/// <summary>A recurring job: a cron expression (5 fields, or 6 with seconds) that queues a job of one kind.</summary>
public sealed class JobSchedule
{
    public long Id { get; set; }
    public required string Name { get; set; }
    public required string Kind { get; set; }
    public string? Payload { get; set; }
    public required string Cron { get; set; }
    public bool Enabled { get; set; } = true;
    public DateTime? LastRunAt { get; set; }
    public DateTime? NextRunAt { get; set; }
    public required string CreatedBy { get; set; }
    public DateTime CreatedAt { get; set; }
}

using Portal.Core.Jobs;

namespace Portal.Core.Maintenance;

/// <summary>
/// The daily retention job (<see cref="RetentionRun"/>): scheduled at <see cref="DefaultCron"/> on a first start with
/// demo data; operators may run it from the Jobs page or add their own schedule.
/// </summary>
public sealed class RetentionJob(RetentionRun run) : IJobHandler
{
    public const string Kind = "maintenance.retention";
    public const string DisplayName = "Retention: prune old history and orphaned files";
    public const string ScheduleName = "Daily retention";
    public const string DefaultCron = "30 3 * * *";

    public async Task RunAsync(JobExecution job, CancellationToken cancellationToken)
    {
        var result = await run.RunAsync(job.RequestedBy, (step, message) => job.ReportAsync(step, RetentionRun.Steps, message, cancellationToken), cancellationToken);
        await job.ReportAsync(RetentionRun.Steps, RetentionRun.Steps, $"Removed {result.Describe()}", cancellationToken);
    }
}

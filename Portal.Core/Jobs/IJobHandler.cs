namespace Portal.Core.Jobs;

/// <summary>
/// One kind of background work (a demo totals recompute now; adtech uploads, segment refreshes and file imports later).
/// Resolved from a fresh DI scope for each run, so it never sees a circuit's services. Register with
/// <see cref="JobServiceCollectionExtensions.AddJobHandler{THandler}"/>.
/// </summary>
public interface IJobHandler
{
    Task RunAsync(JobExecution job, CancellationToken cancellationToken);
}

/// <summary>A registered job kind, for pickers and filters.</summary>
public sealed record JobKind(string Kind, string DisplayName);

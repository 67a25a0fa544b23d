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

/// <summary>
/// A registered job kind, for pickers and filters. With a <see cref="StartRule"/> people may start it from outside
/// (<see cref="JobQueue.StartAsync"/>); without one it is internal, queued only by the code that owns it.
/// </summary>
public sealed record JobKind(string Kind, string DisplayName, JobStartRule? StartRule = null)
{
    public bool StartableByPeople => StartRule is not null;
}

using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.Core.Data;

namespace Portal.Core.Jobs;

/// <summary>
/// Runs claimed jobs, at most <see cref="JobOptions.MaxConcurrency"/> at a time, each in its own DI scope. Owns the
/// state transitions after Queued: Running, then Succeeded, Failed, Cancelled, or Queued again (a retry with backoff,
/// or a job interrupted by shutdown, which resumes on the next start).
/// </summary>
public sealed partial class JobExecutor(
    IServiceScopeFactory scopes,
    IDbContextFactory<PortalDbContext> dbFactory,
    JobNotifier notifier,
    IOptions<JobOptions> options,
    TimeProvider clock,
    ILogger<JobExecutor> logger) : IHostedService, IDisposable
{
    private readonly SemaphoreSlim _slots = new(Math.Max(1, options.Value.MaxConcurrency));
    private readonly ConcurrentDictionary<long, CancellationTokenSource> _running = new();
    private readonly ConcurrentDictionary<long, byte> _userCancelled = new();
    private readonly ConcurrentDictionary<Task, byte> _tasks = new();
    private readonly ConcurrentDictionary<long, byte> _held = new();
    private readonly CancellationTokenSource _stopping = new();
    private volatile bool _disposed;
    private readonly string _instance = options.Value.ResolvedInstanceId;
    private readonly TimeSpan _lease = options.Value.Lease;

    public int RunningCount => _running.Count;

    /// <summary>
    /// Starts work on a job id in the background; a job that is not claimable (no longer queued, not yet due) is left
    /// alone, and an id this executor already holds (waiting for a slot or running) is not taken twice.
    /// </summary>
    public void Start(long id)
    {
        if (_stopping.IsCancellationRequested || !_held.TryAdd(id, 0))
        {
            return;
        }

        var task = Task.Run(() => RunAsync(id));
        _tasks.TryAdd(task, 0);
        task.ContinueWith(t => _tasks.TryRemove(t, out _), TaskScheduler.Default);
    }

    /// <summary>Signals a running job's handler to stop.</summary>
    public void RequestCancel(long id)
    {
        _userCancelled.TryAdd(id, 0);
        if (_running.TryGetValue(id, out var cts))
        {
            cts.Cancel();
        }
    }

    private async Task RunAsync(long id)
    {
        try
        {
            await _slots.WaitAsync(_stopping.Token);
        }
        catch (OperationCanceledException)
        {
            _held.TryRemove(id, out _);
            return;
        }

        try
        {
            await RunClaimedAsync(id);
        }
#pragma warning disable CA1031 // a job's failure is recorded on its row; the executor itself must keep going
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogUnexpected(logger, ex, id);
        }
        finally
        {
            _slots.Release();
            _userCancelled.TryRemove(id, out _);
            _held.TryRemove(id, out _);
        }
    }

    private async Task RunClaimedAsync(long id)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        JobRecord? job;
        await using (var db = await dbFactory.CreateDbContextAsync())
        {
            var claimed = await db.Jobs
                .Where(j => j.Id == id && j.Status == JobStatus.Queued && !j.CancelRequested && (j.NotBefore == null || j.NotBefore <= now))
                .ExecuteUpdateAsync(s => s
                    .SetProperty(j => j.Status, JobStatus.Running)
                    .SetProperty(j => j.Attempts, j => j.Attempts + 1)
                    .SetProperty(j => j.StartedAt, now)
                    .SetProperty(j => j.FinishedAt, (DateTime?)null)
                    .SetProperty(j => j.NotBefore, (DateTime?)null)
                    .SetProperty(j => j.LeaseOwner, _instance)
                    .SetProperty(j => j.LeaseExpiresAt, now + _lease));
            if (claimed == 0)
            {
                return;
            }

            job = await db.Jobs.AsNoTracking().SingleAsync(j => j.Id == id);
        }

        notifier.Publish(new JobChange(id, JobStatus.Running));
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        _running[id] = cts;
        using var renewing = new CancellationTokenSource();
        var renewal = RenewLeaseAsync(id, renewing.Token);
        try
        {
            if (_userCancelled.ContainsKey(id) || await CancelRequestedAsync(id))
            {
                await cts.CancelAsync();
            }

            await using var scope = scopes.CreateAsyncScope();
            var handler = scope.ServiceProvider.GetKeyedService<IJobHandler>(job.Kind);
            if (handler is null)
            {
                await FinishAsync(id, JobStatus.Failed, $"No handler is registered for job kind '{job.Kind}'.", null);
                return;
            }

            var execution = new JobExecution(job, dbFactory, notifier, clock, TimeSpan.FromMilliseconds(options.Value.ProgressIntervalMilliseconds));
            cts.Token.ThrowIfCancellationRequested();
            await handler.RunAsync(execution, cts.Token);
            await FinishAsync(id, JobStatus.Succeeded, null, execution);
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            if (_stopping.IsCancellationRequested && !_userCancelled.ContainsKey(id))
            {
                await RequeueInterruptedAsync(id);
            }
            else
            {
                await FinishAsync(id, JobStatus.Cancelled, null, null);
            }
        }
#pragma warning disable CA1031 // any handler exception becomes the job's error text
        catch (Exception ex)
#pragma warning restore CA1031
        {
            await FailOrRetryAsync(job, ex);
        }
        finally
        {
            await renewing.CancelAsync();
            await renewal;
            _running.TryRemove(id, out _);
        }
    }

    /// <summary>
    /// Renews the job's lease every third of its length while it runs, so other instances see this one alive. Stops
    /// when the lease was lost (another instance took this one for dead and re-queued the job).
    /// </summary>
    private async Task RenewLeaseAsync(long id, CancellationToken stop)
    {
        try
        {
            while (true)
            {
                await Task.Delay(_lease / 3, clock, stop);
                var until = clock.GetUtcNow().UtcDateTime + _lease;
                await using var db = await dbFactory.CreateDbContextAsync(stop);
                var renewed = await Lineage.LineageWriteInterceptor.NotALineageWriteAsync(() =>
                    Owned(db, id).ExecuteUpdateAsync(s => s.SetProperty(j => j.LeaseExpiresAt, until), stop));
                if (renewed == 0)
                {
                    LogLeaseLost(logger, id, _instance);
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // the run ended
        }
#pragma warning disable CA1031 // the job goes on without renewals; should its lease pass, another instance re-queues it
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogUnexpected(logger, ex, id);
        }
    }

    /// <summary>The job's row while this instance holds it Running: the only row the executor's later writes may change.</summary>
    private IQueryable<JobRecord> Owned(PortalDbContext db, long id) =>
        db.Jobs.Where(j => j.Id == id && j.Status == JobStatus.Running && j.LeaseOwner == _instance);

    private async Task<bool> CancelRequestedAsync(long id)
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        return await db.Jobs.Where(j => j.Id == id).Select(j => j.CancelRequested).SingleAsync();
    }

    private async Task FinishAsync(long id, JobStatus status, string? error, JobExecution? execution)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await using var db = await dbFactory.CreateDbContextAsync();
        if (status == JobStatus.Succeeded)
        {
            var total = Math.Max(1, Math.Max(execution?.Total ?? 0, execution?.Done ?? 0));
            await Owned(db, id).ExecuteUpdateAsync(s => s
                .SetProperty(j => j.Status, status)
                .SetProperty(j => j.LeaseExpiresAt, (DateTime?)null)
                .SetProperty(j => j.ProgressDone, total)
                .SetProperty(j => j.ProgressTotal, total)
                .SetProperty(j => j.ProgressMessage, j => j.ProgressMessage ?? "Done")
                .SetProperty(j => j.FinishedAt, now));
        }
        else
        {
            await Owned(db, id).ExecuteUpdateAsync(s => s
                .SetProperty(j => j.Status, status)
                .SetProperty(j => j.LeaseExpiresAt, (DateTime?)null)
                .SetProperty(j => j.Error, j => error ?? j.Error)
                .SetProperty(j => j.ProgressMessage, status == JobStatus.Cancelled ? "Cancelled" : "Failed")
                .SetProperty(j => j.FinishedAt, now));
        }

        notifier.Publish(new JobChange(id, status));
    }

    private async Task RequeueInterruptedAsync(long id)
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        await Owned(db, id).ExecuteUpdateAsync(s => s
            .SetProperty(j => j.Status, JobStatus.Queued)
            .SetProperty(j => j.LeaseExpiresAt, (DateTime?)null)
            .SetProperty(j => j.Attempts, j => j.Attempts > 0 ? j.Attempts - 1 : 0)
            .SetProperty(j => j.StartedAt, (DateTime?)null)
            .SetProperty(j => j.ProgressMessage, "Interrupted by shutdown; resumes on the next start"));
        notifier.Publish(new JobChange(id, JobStatus.Queued));
    }

    private async Task FailOrRetryAsync(JobRecord job, Exception ex)
    {
        var attempt = job.Attempts; // already counts this run
        var error = Describe(ex, attempt);
        LogFailed(logger, ex, job.Id, job.Kind, attempt, job.MaxAttempts);
        if (attempt < job.MaxAttempts && ex is not PermanentJobFailureException)
        {
            var due = clock.GetUtcNow().UtcDateTime + options.Value.BackoffFor(attempt);
            await using var db = await dbFactory.CreateDbContextAsync();
            await Owned(db, job.Id).ExecuteUpdateAsync(s => s
                .SetProperty(j => j.Status, JobStatus.Queued)
                .SetProperty(j => j.LeaseExpiresAt, (DateTime?)null)
                .SetProperty(j => j.Error, error)
                .SetProperty(j => j.NotBefore, due)
                .SetProperty(j => j.ProgressMessage, $"Attempt {attempt} of {job.MaxAttempts} failed; retrying at {due:HH:mm:ss} UTC"));
            notifier.Publish(new JobChange(job.Id, JobStatus.Queued));
        }
        else
        {
            await FinishAsync(job.Id, JobStatus.Failed, error, null);
        }
    }

    /// <summary>
    /// The error people see on the job: the attempt and the exception's message (with its type, unless it is a
    /// failure meant for people), never a stack trace; the log has the whole exception.
    /// </summary>
    private static string Describe(Exception ex, int attempt)
    {
        var inner = ex is AggregateException agg ? agg.Flatten().InnerException ?? ex : ex;
        if (inner is PermanentJobFailureException)
        {
            return $"Attempt {attempt}: {inner.Message}";
        }

        return $"Attempt {attempt}: {inner.GetType().Name}: {inner.Message}";
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Stops running jobs; they go back to Queued and resume on the next start.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_disposed)
        {
            return;
        }

        await _stopping.CancelAsync();
        try
        {
            await Task.WhenAll(_tasks.Keys).WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // the host's shutdown timeout won; rows left Running are recovered at the next start, that run counted as an attempt
        }
    }

    public void Dispose()
    {
        // The container may dispose this singleton before a host's StopAsync has run; stopping then is a no-op.
        _disposed = true;
        _stopping.Cancel();
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Job executor failed unexpectedly on job {JobId}")]
    private static partial void LogUnexpected(ILogger logger, Exception ex, long jobId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId}: instance {Instance} lost its lease (taken for dead and re-queued elsewhere); its result will not be recorded")]
    private static partial void LogLeaseLost(ILogger logger, long jobId, string instance);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId} ({Kind}) attempt {Attempt}/{MaxAttempts} failed")]
    private static partial void LogFailed(ILogger logger, Exception ex, long jobId, string kind, int attempt, int maxAttempts);
}

using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;

namespace Portal.Core.Jobs;

/// <summary>What a running handler sees of its job: its input, and a way to report progress.</summary>
public sealed class JobExecution
{
    private readonly IDbContextFactory<PortalDbContext> _db;
    private readonly JobNotifier _notifier;
    private readonly TimeProvider _clock;
    private readonly TimeSpan _interval;
    private long _lastWriteTicks;

    internal JobExecution(JobRecord job, IDbContextFactory<PortalDbContext> db, JobNotifier notifier, TimeProvider clock, TimeSpan interval)
    {
        Id = job.Id;
        Kind = job.Kind;
        Payload = job.Payload;
        Attempt = job.Attempts;
        RequestedBy = job.RequestedBy;
        _db = db;
        _notifier = notifier;
        _clock = clock;
        _interval = interval;
    }

    public long Id { get; }
    public string Kind { get; }
    public string? Payload { get; }
    public int Attempt { get; }
    public string RequestedBy { get; }

    public int Done { get; private set; }
    public int Total { get; private set; }

    /// <summary>Records progress; writes are throttled, except the one that reaches the total.</summary>
    public async Task ReportAsync(int done, int total, string? message, CancellationToken cancellationToken = default)
    {
        Done = done;
        Total = total;
        var now = _clock.GetTimestamp();
        if (done < total && _lastWriteTicks != 0 && _clock.GetElapsedTime(_lastWriteTicks, now) < _interval)
        {
            return;
        }

        _lastWriteTicks = now;
        var text = message is { Length: > 500 } ? message[..500] : message;
        await using var db = await _db.CreateDbContextAsync(cancellationToken);
        await db.Jobs.Where(j => j.Id == Id).ExecuteUpdateAsync(s => s
            .SetProperty(j => j.ProgressDone, done)
            .SetProperty(j => j.ProgressTotal, total)
            .SetProperty(j => j.ProgressMessage, text), cancellationToken);
        _notifier.Publish(new JobChange(Id, JobStatus.Running));
    }
}

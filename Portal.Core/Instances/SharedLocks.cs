using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.Core.Data;
using Portal.Core.Jobs;
using Portal.Core.Lineage;

namespace Portal.Core.Instances;

/// <summary>
/// Named locks in the database, so that work writing state every instance shares runs on one instance at a time. The
/// holder is this instance's <see cref="JobOptions.InstanceId"/>; a lock whose holder stopped renewing it (the instance
/// died) is free again once its hold has passed. Taking a lock this instance already holds succeeds.
/// </summary>
public sealed partial class SharedLocks(IDbContextFactory<PortalDbContext> dbFactory, IOptions<JobOptions> options, TimeProvider clock,
    ILogger<SharedLocks> logger)
{
    /// <summary>The lock around start-up's seeding (the first admin, demo data, cleaning up interrupted imports).</summary>
    public const string StartUp = "start-up";

    /// <summary>How long a lock lasts without renewal; <see cref="AcquireAsync"/> renews it every third of this.</summary>
    public static readonly TimeSpan Hold = TimeSpan.FromSeconds(30);

    /// <summary>How often <see cref="AcquireAsync"/> looks again while another instance holds the lock.</summary>
    public static readonly TimeSpan Poll = TimeSpan.FromSeconds(1);

    public string Instance { get; } = options.Value.ResolvedInstanceId;

    /// <summary>Takes the lock for <paramref name="hold"/> when it is free, expired, or already this instance's.</summary>
    public async Task<bool> TryAcquireAsync(string name, TimeSpan hold, CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var taken = await LineageWriteInterceptor.NotALineageWriteAsync(() => db.SharedLocks
            .Where(l => l.Name == name && (l.Owner == Instance || l.ExpiresAt < now))
            .ExecuteUpdateAsync(s => s.SetProperty(l => l.Owner, Instance).SetProperty(l => l.ExpiresAt, now + hold), cancellationToken));
        if (taken > 0)
        {
            return true;
        }

        if (await db.SharedLocks.AnyAsync(l => l.Name == name, cancellationToken))
        {
            return false;
        }

        db.SharedLocks.Add(new SharedLock { Name = name, Owner = Instance, ExpiresAt = now + hold });
        try
        {
            await LineageWriteInterceptor.NotALineageWriteAsync(() => db.SaveChangesAsync(cancellationToken));
            return true;
        }
        catch (DbUpdateException)
        {
            // Another instance created the row first; it holds the lock. Anything else is a real failure.
            await using var check = await dbFactory.CreateDbContextAsync(cancellationToken);
            if (await check.SharedLocks.AnyAsync(l => l.Name == name, cancellationToken))
            {
                return false;
            }

            throw;
        }
    }

    /// <summary>
    /// Lets go of a lock this instance holds (one another instance took over meanwhile is left alone). The row stays,
    /// already expired, so that taking the lock again is an update.
    /// </summary>
    public async Task ReleaseAsync(string name, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await LineageWriteInterceptor.NotALineageWriteAsync(() => db.SharedLocks
            .Where(l => l.Name == name && l.Owner == Instance)
            .ExecuteUpdateAsync(s => s.SetProperty(l => l.ExpiresAt, DateTime.UnixEpoch), cancellationToken));
    }

    /// <summary>
    /// Waits until this instance holds the lock, then keeps it (renewed every third of <see cref="Hold"/>) until the
    /// returned handle is disposed. <paramref name="waiting"/> is called once when another instance holds it first.
    /// </summary>
    public async Task<IAsyncDisposable> AcquireAsync(string name, CancellationToken cancellationToken, Action? waiting = null)
    {
        var told = false;
        while (!await TryAcquireAsync(name, Hold, cancellationToken))
        {
            if (!told)
            {
                told = true;
                LogWaiting(logger, name);
                waiting?.Invoke();
            }

            await Task.Delay(Poll, clock, cancellationToken);
        }

        return new SharedLockHandle(this, name, clock);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Waiting for another portal instance to let go of the shared lock '{Name}'")]
    private static partial void LogWaiting(ILogger logger, string name);
}

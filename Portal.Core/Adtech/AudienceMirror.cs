using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Adtech.Sync;
using Portal.Core.Audiences;
using Portal.Core.Data;

namespace Portal.Core.Adtech;

/// <summary>
/// Keeps an audience that exists at an adtech equal to its members, as recorded runs (<see cref="ExportRun"/>): a sync
/// sends only the members that joined and left since the last one, into the same audience id (<see cref="MirrorSync"/>).
/// After a first export (which creates the audience) <see cref="SeedAsync"/> records what was sent as the snapshot,
/// without sending anything again. A full resync forgets the snapshot first, so every member is sent again; members it
/// did not know of stay at the adtech (AdtechA and AdtechB have no replace). One sync per audience and adtech at a time.
/// </summary>
public sealed class AudienceMirror(IDbContextFactory<PortalDbContext> dbFactory, IBucket bucket, MirrorSyncOptions options, TimeProvider clock)
{
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _gates = new(StringComparer.Ordinal);

    /// <summary>Syncs the members into the audience <paramref name="audienceId"/>; <paramref name="full"/> forgets the snapshot first.</summary>
    public async Task<ExportResult> SyncAsync(AudienceState state, AdtechConnector connector, IMirrorConnector mirror, AdtechConnection connection,
        string audienceId, Func<IAsyncEnumerable<Member>> members, string membersHash, bool full, long? jobId, CancellationToken cancellationToken)
    {
        var gate = _gates.GetOrAdd($"{state.Name}\n{connector.Key}", _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        try
        {
            var runId = await BeginAsync(state.Name, connector, audienceId, membersHash, jobId, cancellationToken);
            MirrorSyncResult result;
            try
            {
                var started = clock.GetUtcNow();
                var target = mirror.MirrorTarget(connection, state, audienceId);
                var snapshot = new MirrorSnapshot(bucket, state.Name, connector.Key);
                if (target is ISettlingMirrorTarget settling && await settling.SettleAsync(snapshot, cancellationToken) is { } unsettled)
                {
                    // Work of an earlier sync still runs at the adtech: nothing is sent until it ends.
                    result = new MirrorSyncResult(MirrorSyncOutcome.Failed, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, TimeSpan.Zero, unsettled);
                }
                else
                {
                    if (full)
                    {
                        await snapshot.DeleteAsync(cancellationToken);
                    }

                    result = await SendAsync(state, connector, target, members, full, started, cancellationToken);
                }
            }
            catch (Exception ex)
            {
                await ExportRunUpdate.ApplyAsync(dbFactory, runId, r => r.Finish(ExportRunStatus.Failed, clock.GetUtcNow().UtcDateTime, ex is OperationCanceledException ? "Cancelled." : $"Failed: {ex.Message}"), CancellationToken.None);
                throw;
            }

            var outcome = Outcome(audienceId, result, full);
            await ExportRunUpdate.ApplyAsync(dbFactory, runId, r =>
            {
                r.SyncOutcome = result.Outcome.ToString();
                r.Added = result.Added;
                r.Removed = result.Removed;
                r.Unchanged = result.Unchanged;
                r.MembersSent = result.Added + result.Removed + result.Refreshed;
                r.FailedCount = result.Rejected;
                r.InvalidValues = result.Invalid;
                r.EmptyMembers = result.EmptyMembers;
                r.DurationMs = (long)result.Duration.TotalMilliseconds;
                r.HttpStatus = outcome.Response.Status;
                r.UploadCompleted = result.Succeeded;
                r.Finish(result.Succeeded ? ExportRunStatus.Succeeded : ExportRunStatus.Failed, clock.GetUtcNow().UtcDateTime, outcome.Response.Message);
            }, CancellationToken.None);
            return new ExportResult(runId, null, outcome);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// Sends the difference; after a full resync into a target that can remove what was added before it began, removes
    /// that (the members the audience no longer has).
    /// </summary>
    private async Task<MirrorSyncResult> SendAsync(AudienceState state, AdtechConnector connector, IMirrorTarget target, Func<IAsyncEnumerable<Member>> members,
        bool full, DateTimeOffset started, CancellationToken cancellationToken)
    {
        var result = await new MirrorSync(bucket, options, clock).RunAsync(state.Name, connector.Key, members(), connector.Normalization(state.RequireCountry()),
            target, cancellationToken);
        if (full && result.Succeeded && target is IReplacingMirrorTarget replacing)
        {
            // Every member was added again: what was added before is what the audience no longer has.
            var replaced = await replacing.RemoveAddedBeforeAsync(started, cancellationToken);
            if (!replaced.Accepted)
            {
                return result with { Outcome = MirrorSyncOutcome.Failed, LastAnswer = replaced };
            }
        }

        return result;
    }

    /// <summary>
    /// Records the members a first export just sent as what the adtech holds (hashed and sorted locally, nothing sent),
    /// so the next sync sends only the difference.
    /// </summary>
    /// <remarks>
    /// From what the export's upload recorded as it hashed (<paramref name="recorded"/>) when it hashed every member; else
    /// (a resumed export skipped the batches committed before) from the members, hashed again.
    /// </remarks>
    public Task SeedAsync(AudienceState state, AdtechConnector connector, IAsyncEnumerable<Member> members, ExportSeed? recorded, CancellationToken cancellationToken) =>
        recorded is { Complete: true }
            ? new MirrorSync(bucket, options, clock).SeedAsync(state.Name, connector.Key, recorded, cancellationToken)
            : new MirrorSync(bucket, options, clock).SeedAsync(state.Name, connector.Key, members, connector.Normalization(state.RequireCountry()), cancellationToken);

    /// <summary>Where a first export's upload records the snapshot as it hashes, for <see cref="SeedAsync"/>.</summary>
    public ExportSeed StartSeed() => new MirrorSync(bucket, options, clock).StartSeed();

    private UploadOutcome Outcome(string audienceId, MirrorSyncResult result, bool full)
    {
        var date = clock.GetUtcNow().ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        var what = full ? "Full resync" : "Sync";
        var counts = $"+{result.Added:N0} / −{result.Removed:N0}, {result.Unchanged:N0} unchanged"
            + (result.ToRefresh > 0 ? $", {result.Refreshed:N0} re-added before their membership ran out" : "")
            + $", {result.Invalid:N0} invalid values dropped"
            + (result.Rejected > 0 ? $", {result.Rejected:N0} rejected by the adtech" : "");
        var message = result.Outcome switch
        {
            MirrorSyncOutcome.NoChange => $"{what}: no change ({result.Unchanged:N0} unchanged); nothing sent.",
            MirrorSyncOutcome.Synced => $"{what}: {counts}.",
            _ => $"{what} failed: {result.LastAnswer?.Message} ({counts} before the failure; the next sync resumes).",
        };
        var status = result.LastAnswer?.Status ?? 200;
        return new UploadOutcome(result.Succeeded ? audienceId : null, new LastResponse(date, status, message), result.Added + result.Removed + result.Refreshed,
            result.Rejected, result.Invalid, result.EmptyMembers, result.Duration);
    }

    private async Task<long> BeginAsync(string audience, AdtechConnector connector, string audienceId, string membersHash, long? jobId,
        CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var run = new ExportRun
        {
            Audience = audience,
            AdtechKey = connector.Key,
            JobId = jobId,
            StartedUtc = clock.GetUtcNow().UtcDateTime,
            Status = ExportRunStatus.Running,
            ExportKey = Guid.NewGuid().ToString("N"),
            MembersHash = membersHash,
            AdtechAudienceId = audienceId,
            BatchSize = connector.BatchSize,
        };
        db.ExportRuns.Add(run);
        await db.SaveChangesAsync(cancellationToken);
        return run.Id;
    }


}

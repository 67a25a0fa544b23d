using Portal.Core.Adtech.Sync;
using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Audiences;
using Portal.Core.Data;

namespace Portal.Core.Adtech;

/// <summary>What one export did: its run record, the run it resumed (if any), and the upload's outcome.</summary>
public sealed record ExportResult(long RunId, long? ResumedRunId, UploadOutcome Outcome);

/// <summary>
/// Uploads one audience to one adtech as a recorded run (<see cref="ExportRun"/>), so that a retried or restarted
/// export never posts the same audience twice:
/// <list type="bullet">
/// <item>the adtech's id is saved on the run as soon as the create call returns, and the committed batch count after
/// every accepted batch;</item>
/// <item>every request carries an idempotency key made from the export's key and the step, the same on every retry
/// and in every run of the export;</item>
/// <item>when the latest run of the audience and adtech did not succeed, the new run resumes its export: the same
/// keys, no second create when the id is known, and the committed batches skipped; but only while the member file is
/// the one that export started from (its SHA-256): when the members changed since, skipping the committed batches
/// would skip other members, so the run starts a new export of the new members instead.</item>
/// </list>
/// A run is Succeeded only after <see cref="CompleteAsync"/> says the id reached the state file; until then a later run
/// resumes it (which then only writes the id). One export of an audience to an adtech at a time in this process.
/// </summary>
public sealed class AudienceExporter(IDbContextFactory<PortalDbContext> dbFactory, TimeProvider clock)
{
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _gates = new(StringComparer.Ordinal);

    /// <param name="membersHash">SHA-256 of the member file <paramref name="members"/> reads (<see cref="MemberFile.HashAsync"/>).</param>
    public Task<ExportResult> ExportAsync(AudienceState state, AdtechConnector connector, AdtechConnection connection,
        Func<IAsyncEnumerable<Member>> members, string membersHash, long? jobId, CancellationToken cancellationToken) =>
        ExportAsync(state, connector, connection, members, membersHash, jobId, null, cancellationToken);

    /// <param name="seed">Where the upload records the snapshot of what it sent, when the adtech is a mirror target (see <see cref="ExportSeed"/>).</param>
    public async Task<ExportResult> ExportAsync(AudienceState state, AdtechConnector connector, AdtechConnection connection,
        Func<IAsyncEnumerable<Member>> members, string membersHash, long? jobId, ExportSeed? seed, CancellationToken cancellationToken)
    {
        var gate = _gates.GetOrAdd($"{state.Name}\n{connector.Key}", _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        try
        {
            var (run, resumed, abandoned) = await BeginAsync(state.Name, connector, membersHash, jobId, cancellationToken);
            UploadOutcome outcome;
            if (run.UploadCompleted)
            {
                var message = $"Success: run {resumed!.Id} uploaded everything; only the id was missing from the state file.";
                outcome = new UploadOutcome(run.AdtechAudienceId, new LastResponse(Today(), 200, message), 0, 0, 0, 0, TimeSpan.Zero);
            }
            else
            {
                // An earlier run that ended without an id may have created the audience with its answer lost: look it up first.
                var lookUpFirst = run.AdtechAudienceId is null && (resumed ?? abandoned) is { AdtechAudienceId: null };
                var start = new UploadStart(run.ExportKey, run.ResumedFromId ?? run.Id, run.AdtechAudienceId, run.AdtechJob, run.BatchesCommitted, run.BatchSize,
                    LookUpFirst: lookUpFirst, Seed: seed);
                try
                {
                    outcome = await connector.UploadAsync(state, connection, members(), start, (c, ct) => SaveCheckpointAsync(run.Id, c, ct),
                        cancellationToken: cancellationToken);
                }
                catch (Exception ex)
                {
                    await ExportRunUpdate.ApplyAsync(dbFactory, run.Id, r => r.Finish(ExportRunStatus.Failed, clock.GetUtcNow().UtcDateTime, ex is OperationCanceledException ? "Cancelled." : $"Failed: {ex.Message}"), CancellationToken.None);
                    throw;
                }

                var note = resumed is not null ? $" Resumed run {resumed.Id}'s export after {run.BatchesCommitted:N0} committed batches."
                    : abandoned is not null ? $" Started over: the members changed since run {abandoned.Id}'s export began, so it was not resumed"
                        + (abandoned.AdtechAudienceId is { } partial ? $" (its audience {partial} at the adtech holds only the old members it was sent)." : ".")
                    : null;
                if (note is not null && outcome.Succeeded)
                {
                    outcome = outcome with { Response = outcome.Response with { Message = outcome.Response.Message + note } };
                }
            }

            await ExportRunUpdate.ApplyAsync(dbFactory, run.Id, r =>
            {
                r.MembersSent = outcome.Sent;
                r.FailedCount = outcome.Failed;
                r.InvalidValues = outcome.InvalidValues;
                r.EmptyMembers = outcome.EmptyMembers;
                r.DurationMs = (long)outcome.Duration.TotalMilliseconds;
                r.HttpStatus = outcome.Response.Status;
                r.ResponseMessage = ExportRun.Clip(outcome.Response.Message);
                if (outcome.Succeeded)
                {
                    r.AdtechAudienceId = outcome.Id;
                    r.UploadCompleted = true;
                }
                else
                {
                    r.Finish(ExportRunStatus.Failed, clock.GetUtcNow().UtcDateTime, null);
                }
            }, CancellationToken.None);
            return new ExportResult(run.Id, resumed?.Id, outcome);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// Ends a run whose upload completed: Succeeded when the id was written to the state file; otherwise Failed, and
    /// the next run resumes it and only writes the id.
    /// </summary>
    public Task CompleteAsync(long runId, bool stateWritten, CancellationToken cancellationToken = default) =>
        ExportRunUpdate.ApplyAsync(dbFactory, runId, r =>
        {
            if (r is { UploadCompleted: true, Status: ExportRunStatus.Running })
            {
                r.Finish(stateWritten ? ExportRunStatus.Succeeded : ExportRunStatus.Failed, clock.GetUtcNow().UtcDateTime, stateWritten ? null
                    : $"{r.ResponseMessage} The state file changed meanwhile, so the id was not written to it; the next run writes it without posting again.");
            }
        }, cancellationToken);

    /// <summary>
    /// Starts a run: the continuation of the latest run's export when that one did not succeed and read the same
    /// member file, or a new export (then the latest unfinished run, whose members changed, is <c>Abandoned</c>).
    /// </summary>
    private async Task<(ExportRun Run, ExportRun? Resumed, ExportRun? Abandoned)> BeginAsync(string audience, AdtechConnector connector,
        string membersHash, long? jobId, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var latest = await db.ExportRuns.Where(r => r.Audience == audience && r.AdtechKey == connector.Key)
            .OrderByDescending(r => r.Id).FirstOrDefaultAsync(cancellationToken);
        var unfinished = latest is { Status: not ExportRunStatus.Succeeded } ? latest : null;
        // A run recorded before member files were hashed has none: it is resumed, as it would have been.
        var resumed = unfinished is not null && (unfinished.MembersHash ?? membersHash) == membersHash ? unfinished : null;
        var abandoned = resumed is null ? unfinished : null;
        var run = new ExportRun
        {
            Audience = audience,
            AdtechKey = connector.Key,
            JobId = jobId,
            StartedUtc = clock.GetUtcNow().UtcDateTime,
            Status = ExportRunStatus.Running,
            ExportKey = resumed?.ExportKey ?? Guid.NewGuid().ToString("N"),
            ResumedFromId = resumed is null ? null : resumed.ResumedFromId ?? resumed.Id,
            MembersHash = membersHash,
            AdtechAudienceId = resumed?.AdtechAudienceId,
            AdtechJob = resumed?.AdtechJob,
            BatchSize = resumed?.BatchSize ?? connector.BatchSize,
            BatchesCommitted = resumed?.BatchesCommitted ?? 0,
            UploadCompleted = resumed?.UploadCompleted ?? false,
        };
        db.ExportRuns.Add(run);
        await db.SaveChangesAsync(cancellationToken);
        if (unfinished is { Status: ExportRunStatus.Running })
        {
            // Only a run of a process that stopped is still Running here (one export per audience and adtech at a time).
            unfinished.Finish(ExportRunStatus.Failed, clock.GetUtcNow().UtcDateTime, resumed is not null
                ? $"Interrupted before it finished; run {run.Id} resumes it."
                : $"Interrupted before it finished; the members changed since, so run {run.Id} started over.");
            await db.SaveChangesAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return (run, resumed, abandoned);
    }

    private Task SaveCheckpointAsync(long runId, UploadCheckpoint checkpoint, CancellationToken cancellationToken) =>
        ExportRunUpdate.ApplyAsync(dbFactory, runId, r =>
        {
            r.AdtechAudienceId = checkpoint.AudienceId;
            r.AdtechJob = checkpoint.Job;
            r.BatchesCommitted = checkpoint.CommittedBatches;
            r.MembersSent = checkpoint.Sent;
            r.FailedCount = checkpoint.Failed;
        }, cancellationToken);



    private string Today() => clock.GetUtcNow().ToString("yyyyMMdd", CultureInfo.InvariantCulture);

}

using Portal.Core.Adtech.Sync;
using Portal.Core.Audiences;

namespace Portal.Core.Adtech;

/// <summary>
/// One Google Customer Match user list kept in sync (<see cref="IMirrorTarget"/>). Each batch is its own offline user
/// data job, run and polled to its end before the batch counts as accepted: a removes batch is a job of <c>remove</c>
/// operations only, an adds batch a job of <c>create</c> operations only (Google refuses a job mixing them with
/// CONFLICTING_OPERATION), and since the sync sends all removes before all adds and waits for each job, only one job of
/// the list runs at a time (a second would get CONCURRENT_MODIFICATION, which is retried with backoff). A batch is up
/// to <see cref="JobRequests"/> addOperations requests of <see cref="GoogleAdsConnector.MaxUsersPerRequest"/> users.
/// A job still RUNNING when polling gives up fails its batch and is recorded (<paramref name="pending"/>); the next sync
/// first waits for it (<see cref="SettleAsync"/>) instead of starting a second job on the list, and counts its batch as
/// accepted only if it succeeded.
/// </summary>
public sealed class GoogleAdsMirrorTarget(GoogleAdsConnector connector, AdtechHttp http, AdtechConnection connection, string userList,
    GoogleAdsPendingJob? pending = null, TimeSpan? membershipLifetime = null) : IMirrorTarget, ISettlingMirrorTarget
{
    /// <summary>addOperations requests per job.</summary>
    public const int JobRequests = 10;

    public int BatchSize => JobRequests * GoogleAdsConnector.MaxUsersPerRequest;

    /// <summary>The list's membership life span: members are added again before it runs out.</summary>
    public TimeSpan? MembershipLifetime => membershipLifetime ?? TimeSpan.FromDays(AdtechKeys.MaxMembershipLifeSpan);

    public Task<MirrorAnswer> AddAsync(IReadOnlyList<HashedMember> batch, CancellationToken cancellationToken) => RunJobAsync(batch, MirrorChange.Add, cancellationToken);

    public Task<MirrorAnswer> RemoveAsync(IReadOnlyList<HashedMember> batch, CancellationToken cancellationToken) => RunJobAsync(batch, MirrorChange.Remove, cancellationToken);

    /// <summary>
    /// Waits for the job an earlier sync left RUNNING, if any: while it runs, refuses (no second job is started on the
    /// list); when it succeeded, journals its batch into <paramref name="snapshot"/> (the list holds it); when it failed,
    /// forgets it (its batch is part of this sync's difference again).
    /// </summary>
    public async Task<MirrorAnswer?> SettleAsync(MirrorSnapshot snapshot, CancellationToken cancellationToken)
    {
        if (pending is null || await pending.LoadAsync(cancellationToken) is not { } left)
        {
            return null;
        }

        var ended = await connector.AwaitJobAsync(connection, left.Job, cancellationToken);
        if (ended is not null && GoogleAdsConnector.StillRunning(ended))
        {
            return Refused(ended, $"the job {left.Job} of an earlier sync is still running, and a second job on the list would be refused (CONCURRENT_MODIFICATION)");
        }

        // FAILED (422), or a job Google does not know (no result): its batch is not held. Anything else: not known yet.
        var gone = ended is { Status: 422 } || (ended is { Status: 504 } && ended.Body?["results"] is System.Text.Json.Nodes.JsonArray { Count: 0 });
        if (ended is { IsSuccess: false } && !gone)
        {
            return Refused(ended, $"the status of the job {left.Job} of an earlier sync could not be read");
        }

        if (ended is null || ended.IsSuccess)
        {
            // The snapshot's own journal first, so that this batch's number is free.
            await snapshot.CommitAsync(cancellationToken);
            await snapshot.JournalAsync(0, left.Change, left.Records, cancellationToken);
        }

        await pending.DeleteAsync(cancellationToken);
        return null;
    }

    /// <summary>
    /// Empties the list for a full resync: a job of one <c>removeAll</c> operation, run and polled to its end. Then
    /// delete the sync snapshot (<see cref="MirrorSnapshot.DeleteAsync"/>): the next sync adds every member again. The
    /// list is empty until that sync's adds job has run.
    /// </summary>
    public Task<MirrorAnswer> RemoveAllAsync(CancellationToken cancellationToken = default) =>
        RunJobAsync([RemoveAllPayload], "removeAll", 1, null, cancellationToken);

    /// <summary>The addOperations body that removes every member of the list.</summary>
    public static byte[] RemoveAllPayload => """{"operations":[{"removeAll":true}]}"""u8.ToArray();

    private Task<MirrorAnswer> RunJobAsync(IReadOnlyList<HashedMember> batch, MirrorChange change, CancellationToken cancellationToken)
    {
        var operation = change == MirrorChange.Add ? "create" : "remove";
        return RunJobAsync(batch.Chunk(GoogleAdsConnector.MaxUsersPerRequest).Select(part => GoogleAdsConnector.OperationsPayload(part, operation)), operation, batch.Count,
            (batch, change), cancellationToken);
    }

    /// <summary>
    /// Opens a job for the list, sends <paramref name="requests"/> (addOperations bodies), runs the job and waits for it to
    /// end; a job still running when polling gives up is recorded with its <paramref name="batch"/>, for the next sync.
    /// </summary>
    private async Task<MirrorAnswer> RunJobAsync(IEnumerable<byte[]> requests, string operation, int count, (IReadOnlyList<HashedMember> Members, MirrorChange Change)? batch,
        CancellationToken cancellationToken)
    {
        var headers = connector.Headers(connection);
        var open = connector.OpenJob(connection, userList, null)!;
        var answer = await http.PostAsync(connection, open.Path, open.Payload, headers, null, cancellationToken, connector.IsThrottled);
        if (!answer.IsSuccess)
        {
            return Refused(answer, "the job could not be opened");
        }

        if (connector.ReadJob(answer.Body) is not { Length: > 0 } job)
        {
            return new MirrorAnswer(false, 502, "Google accepted the job but returned no resource name");
        }

        var rejected = 0L;
        foreach (var request in requests)
        {
            answer = await http.PostAsync(connection, connector.AddPath(connection, job), request, headers, null, cancellationToken, connector.IsThrottled);
            if (!answer.IsSuccess)
            {
                return Refused(answer, $"the {operation} operations were refused");
            }

            rejected += connector.FailedIn(answer.Body);
        }

        var run = connector.RunJob(connection, job)!;
        answer = await http.PostAsync(connection, run.Path, run.Payload, headers, null, cancellationToken, connector.IsThrottled);
        if (!answer.IsSuccess)
        {
            return Refused(answer, "the job could not be run");
        }

        var ended = await connector.AwaitJobAsync(connection, job, cancellationToken);
        if (ended is not null && GoogleAdsConnector.StillRunning(ended) && pending is not null && batch is { } running)
        {
            await pending.SaveAsync(job, running.Change, running.Members, cancellationToken);
            return Refused(ended, $"the job {job} is still running; the next sync waits for it and counts its batch if it succeeds");
        }

        return ended is { IsSuccess: false }
            ? Refused(ended, "the job did not succeed")
            : new MirrorAnswer(true, ended?.Status ?? answer.Status, $"{count:N0} {operation} operations in {job}: SUCCESS", rejected);
    }

    private static MirrorAnswer Refused(AdtechResponse response, string what) => new(false, response.Status, $"Google Ads: {what}: {response.Message}");
}

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
/// </summary>
public sealed class GoogleAdsMirrorTarget(GoogleAdsConnector connector, AdtechHttp http, AdtechConnection connection, string userList,
    TimeSpan? membershipLifetime = null) : IMirrorTarget
{
    /// <summary>addOperations requests per job.</summary>
    public const int JobRequests = 10;

    public int BatchSize => JobRequests * GoogleAdsConnector.MaxUsersPerRequest;

    /// <summary>The list's membership life span: members are added again before it runs out.</summary>
    public TimeSpan? MembershipLifetime => membershipLifetime ?? TimeSpan.FromDays(AdtechKeys.MaxMembershipLifeSpan);

    public Task<MirrorAnswer> AddAsync(IReadOnlyList<HashedMember> batch, CancellationToken cancellationToken) => RunJobAsync(batch, "create", cancellationToken);

    public Task<MirrorAnswer> RemoveAsync(IReadOnlyList<HashedMember> batch, CancellationToken cancellationToken) => RunJobAsync(batch, "remove", cancellationToken);

    /// <summary>
    /// Empties the list for a full resync: a job of one <c>removeAll</c> operation, run and polled to its end. Then
    /// delete the sync snapshot (<see cref="MirrorSnapshot.DeleteAsync"/>): the next sync adds every member again. The
    /// list is empty until that sync's adds job has run.
    /// </summary>
    public Task<MirrorAnswer> RemoveAllAsync(CancellationToken cancellationToken = default) =>
        RunJobAsync([RemoveAllPayload], "removeAll", 1, cancellationToken);

    /// <summary>The addOperations body that removes every member of the list.</summary>
    public static byte[] RemoveAllPayload => """{"operations":[{"removeAll":true}]}"""u8.ToArray();

    private Task<MirrorAnswer> RunJobAsync(IReadOnlyList<HashedMember> batch, string operation, CancellationToken cancellationToken) =>
        RunJobAsync(batch.Chunk(GoogleAdsConnector.MaxUsersPerRequest).Select(part => GoogleAdsConnector.OperationsPayload(part, operation)), operation, batch.Count,
            cancellationToken);

    /// <summary>Opens a job for the list, sends <paramref name="requests"/> (addOperations bodies), runs the job and waits for it to end.</summary>
    private async Task<MirrorAnswer> RunJobAsync(IEnumerable<byte[]> requests, string operation, int count, CancellationToken cancellationToken)
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
        return ended is { IsSuccess: false }
            ? Refused(ended, "the job did not succeed")
            : new MirrorAnswer(true, ended?.Status ?? answer.Status, $"{count:N0} {operation} operations in {job}: SUCCESS", rejected);
    }

    private static MirrorAnswer Refused(AdtechResponse response, string what) => new(false, response.Status, $"Google Ads: {what}: {response.Message}");
}

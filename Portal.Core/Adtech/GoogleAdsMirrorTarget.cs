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
public sealed class GoogleAdsMirrorTarget(GoogleAdsConnector connector, AdtechHttp http, AdtechConnection connection, string userList) : IMirrorTarget
{
    /// <summary>addOperations requests per job.</summary>
    public const int JobRequests = 10;

    public int BatchSize => JobRequests * GoogleAdsConnector.MaxUsersPerRequest;

    public Task<MirrorAnswer> AddAsync(IReadOnlyList<HashedMember> batch, CancellationToken cancellationToken) => RunJobAsync(batch, "create", cancellationToken);

    public Task<MirrorAnswer> RemoveAsync(IReadOnlyList<HashedMember> batch, CancellationToken cancellationToken) => RunJobAsync(batch, "remove", cancellationToken);

    /// <summary>Opens a job for the list, adds the batch as <paramref name="operation"/>s, runs the job and waits for it to end.</summary>
    private async Task<MirrorAnswer> RunJobAsync(IReadOnlyList<HashedMember> batch, string operation, CancellationToken cancellationToken)
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
        for (var at = 0; at < batch.Count; at += GoogleAdsConnector.MaxUsersPerRequest)
        {
            var part = batch.Skip(at).Take(GoogleAdsConnector.MaxUsersPerRequest).ToList();
            answer = await http.PostAsync(connection, connector.AddPath(connection, job), GoogleAdsConnector.OperationsPayload(part, operation), headers, null,
                cancellationToken, connector.IsThrottled);
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
            : new MirrorAnswer(true, ended?.Status ?? answer.Status, $"{batch.Count:N0} {operation} operations in {job}: SUCCESS", rejected);
    }

    private static MirrorAnswer Refused(AdtechResponse response, string what) => new(false, response.Status, $"Google Ads: {what}: {response.Message}");
}

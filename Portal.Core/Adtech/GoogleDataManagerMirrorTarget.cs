using Portal.Core.Adtech.Sync;
using Portal.Core.Audiences;

namespace Portal.Core.Adtech;

/// <summary>
/// One Google Customer Match user list kept in sync through the Data Manager API (<see cref="IMirrorTarget"/>): adds are
/// <c>audienceMembers:ingest</c> requests, removes <c>audienceMembers:remove</c> requests naming each member by the same
/// identifiers its add sent, up to <see cref="GoogleDataManagerConnector.MaxMembersPerRequest"/> members a request. Both
/// are safe to repeat. Google takes a request when it is valid and processes it afterwards (no job to wait for); its
/// <c>requestId</c> is kept in the answer. A full resync replaces the list's members with <see cref="RemoveAddedBeforeAsync"/>.
/// </summary>
public sealed class GoogleDataManagerMirrorTarget(GoogleDataManagerConnector connector, AdtechHttp http, AdtechConnection connection, string userList,
    TimeSpan? membershipLifetime = null) : IMirrorTarget, IReplacingMirrorTarget
{
    public int BatchSize => GoogleDataManagerConnector.MaxMembersPerRequest;

    /// <summary>The list's membership duration: members are ingested again before it runs out.</summary>
    public TimeSpan? MembershipLifetime => membershipLifetime ?? TimeSpan.FromDays(AdtechKeys.MaxMembershipLifeSpan);

    public Task<MirrorAnswer> AddAsync(IReadOnlyList<HashedMember> batch, CancellationToken cancellationToken) =>
        SendAsync(connector.IngestPath, GoogleDataManagerConnector.MembersPayload(connection, userList, batch, GoogleDataManagerConnector.Request.Ingest),
            $"{batch.Count:N0} members ingested", cancellationToken);

    public Task<MirrorAnswer> RemoveAsync(IReadOnlyList<HashedMember> batch, CancellationToken cancellationToken) =>
        SendAsync(connector.RemovePath, GoogleDataManagerConnector.MembersPayload(connection, userList, batch, GoogleDataManagerConnector.Request.Remove),
            $"{batch.Count:N0} members removed", cancellationToken);

    /// <summary>
    /// How much earlier than the resync's start the removal's cutoff is: Google compares it with its own clock, and a
    /// member the resync added must never count as added before it (a cutoff in Google's future is also refused).
    /// </summary>
    public static readonly TimeSpan ClockMargin = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Removes the members of the list last added before <paramref name="syncStarted"/> less <see cref="ClockMargin"/>
    /// (<c>audienceMembers:removeAll</c> with <c>removeAsOfTime</c>): after a full resync added every member again, this
    /// leaves exactly them, and the list was never empty in between.
    /// </summary>
    public Task<MirrorAnswer> RemoveAddedBeforeAsync(DateTimeOffset syncStarted, CancellationToken cancellationToken)
    {
        var cutoff = syncStarted - ClockMargin;
        return SendAsync(connector.RemoveAllPath, GoogleDataManagerConnector.RemoveAllPayload(connection, userList, cutoff),
            $"members last added before {cutoff.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC removed", cancellationToken);
    }

    private async Task<MirrorAnswer> SendAsync(string path, byte[] payload, string what, CancellationToken cancellationToken)
    {
        await connector.PaceAsync(cancellationToken);
        var answer = await http.PostAsync(connection, path, payload, connector.Headers(connection), null, cancellationToken);
        return answer.IsSuccess
            ? new MirrorAnswer(true, answer.Status, $"{what} (request {answer.Body?["requestId"]?.ToString() ?? "without an id"})")
            : new MirrorAnswer(false, answer.Status, $"Google Data Manager: {answer.Message}");
    }
}

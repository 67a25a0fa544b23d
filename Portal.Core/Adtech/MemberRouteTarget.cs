using Portal.Core.Adtech.Sync;
using Portal.Core.Audiences;

namespace Portal.Core.Adtech;

/// <summary>
/// An audience whose members are added with a POST on the connector's add path and removed with a DELETE of the same
/// body on the same path (AdtechA, AdtechB). Both are retried as adds are (5xx, timeouts, 429): a member added or removed
/// twice is still added or removed once.
/// </summary>
internal sealed class MemberRouteTarget(AdtechHttp http, AdtechConnector connector, AdtechConnection connection, AudienceState state, string audienceId)
    : IMirrorTarget
{
    public int BatchSize => connector.BatchSize;

    public Task<MirrorAnswer> AddAsync(IReadOnlyList<HashedMember> batch, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, batch, cancellationToken);

    public Task<MirrorAnswer> RemoveAsync(IReadOnlyList<HashedMember> batch, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Delete, batch, cancellationToken);

    private async Task<MirrorAnswer> SendAsync(HttpMethod method, IReadOnlyList<HashedMember> batch, CancellationToken cancellationToken)
    {
        var response = await http.SendAsync(method, connection, connector.AddPath(connection, audienceId), connector.Payload(state, batch, create: false),
            connector.Headers(connection), null, cancellationToken, connector.IsThrottled);
        return new MirrorAnswer(response.IsSuccess, response.Status, response.Message, response.IsSuccess ? connector.FailedIn(response.Body) : 0);
    }
}

using Portal.Core.Adtech.Sync;
using Portal.Core.Audiences;

namespace Portal.Core.Adtech;

/// <summary>
/// One Meta custom audience kept in sync (<see cref="IMirrorTarget"/>): adds are <c>POST /{audience_id}/users</c>,
/// removes <c>DELETE /{audience_id}/users</c> with the same body (<c>payload.schema</c> + hashed <c>payload.data</c>
/// rows, the rows of a member exactly as its add sent them, so Meta matches them), at most
/// <see cref="MetaConnector.BatchSize"/> members a request (up to five rows each: within Meta's 10,000 rows). A full
/// resync goes through Meta's replace session (<see cref="ReplaceAsync"/>). Adds and removes carry no session: a sync
/// batch is one request, and the session's <c>last_batch_flag</c> is not known while batches are streamed.
/// </summary>
public sealed class MetaMirrorTarget(MetaConnector connector, AdtechHttp http, AdtechConnection connection,
    AudienceState state, string audienceId) : IMirrorTarget
{
    public int BatchSize => connector.BatchSize;

    public string AudienceId => audienceId;

    public async Task<MirrorAnswer> AddAsync(IReadOnlyList<HashedMember> batch, CancellationToken cancellationToken) =>
        Answer(await http.PostAsync(connection, connector.AddPath(connection, audienceId), connector.Payload(state, batch, create: false), null, null,
            cancellationToken, connector.IsThrottled));

    public async Task<MirrorAnswer> RemoveAsync(IReadOnlyList<HashedMember> batch, CancellationToken cancellationToken) =>
        Answer(await http.SendAsync(HttpMethod.Delete, connection, connector.AddPath(connection, audienceId), connector.Payload(state, batch, create: false),
            null, null, cancellationToken, connector.IsThrottled));

    /// <summary>
    /// Replaces the audience's members with <paramref name="members"/> through Meta's replace session
    /// (<c>POST /{audience_id}/usersreplace</c>, every batch with the same <c>session_id</c>, <c>batch_seq</c> from 1,
    /// <c>last_batch_flag</c> on the last): when the session ends, Meta drops the members not sent in it, without the
    /// audience ever being empty. A refused batch ends the replace (the audience keeps its old members; Meta ends an
    /// unfinished session on its own). After a replace, the audience's sync snapshot no longer says what it holds:
    /// delete it (<see cref="MirrorSnapshot.DeleteAsync"/>); the next sync sends every member again as adds, which Meta
    /// takes as no change.
    /// </summary>
    public async Task<MirrorAnswer> ReplaceAsync(IAsyncEnumerable<Member> members, CancellationToken cancellationToken = default)
    {
        var normalization = connector.Normalization(state.RequireCountry());
        var stats = new HashStats();
        var exportKey = $"replace:{audienceId}:{Guid.NewGuid():N}"; // a new session each replace
        var (sequence, sent, rejected) = (0, 0L, 0L);
        var batch = new List<HashedMember>(BatchSize);
        AdtechResponse? last = null;
        await using var reading = members.GetAsyncEnumerator(cancellationToken);
        var more = await reading.MoveNextAsync();
        while (true)
        {
            while (more && batch.Count < BatchSize)
            {
                var hashed = stats.Hash(reading.Current, normalization);
                if (!hashed.IsEmpty)
                {
                    batch.Add(hashed);
                }

                more = await reading.MoveNextAsync();
            }

            var position = new BatchPosition(exportKey, ++sequence, Last: !more);
            last = await http.PostAsync(connection, connector.ReplacePath(connection, audienceId), connector.Payload(state, batch, create: false, position),
                null, null, cancellationToken, connector.IsThrottled);
            if (!last.IsSuccess)
            {
                return Answer(last) with { Message = $"The replace stopped at batch {sequence}: {last.Message}" };
            }

            sent += batch.Count;
            rejected += connector.FailedIn(last.Body);
            batch = new List<HashedMember>(BatchSize);
            if (!more)
            {
                return new MirrorAnswer(true, last.Status, $"Replaced with {sent:N0} members in {sequence} batches", rejected);
            }
        }
    }

    private MirrorAnswer Answer(AdtechResponse response) =>
        new(response.IsSuccess, response.Status, response.Message, response.IsSuccess ? connector.FailedIn(response.Body) : 0);
}

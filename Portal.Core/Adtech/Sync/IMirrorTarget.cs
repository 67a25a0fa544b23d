using Portal.Core.Audiences;

namespace Portal.Core.Adtech.Sync;

/// <summary>
/// An adtech audience that members can be added to and removed from, in batches (a connector bound to one connection
/// and one existing audience id). Adds and removes must be safe to repeat: a batch whose answer was lost is sent again.
/// </summary>
public interface IMirrorTarget
{
    /// <summary>Members per request, at most.</summary>
    int BatchSize { get; }

    Task<MirrorAnswer> AddAsync(IReadOnlyList<HashedMember> batch, CancellationToken cancellationToken);

    Task<MirrorAnswer> RemoveAsync(IReadOnlyList<HashedMember> batch, CancellationToken cancellationToken);

    /// <summary>
    /// How long the adtech keeps a member after its last add (Google: 540 days at most); null when it keeps members
    /// until they are removed. A sync adds again the members whose last accepted add is older than this minus
    /// <see cref="MirrorSyncOptions.RefreshMargin"/>.
    /// </summary>
    TimeSpan? MembershipLifetime => null;
}

/// <summary>
/// The adtech's answer to one batch: <paramref name="Accepted"/> when it took the batch (then the batch is journaled and
/// never sent again), and how many of its members it reported as rejected (invalid entries) while accepting it.
/// </summary>
public sealed record MirrorAnswer(bool Accepted, int Status, string Message, long Rejected = 0);

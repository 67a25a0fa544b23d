using Portal.Core.Adtech.Sync;

namespace Portal.Core.Adtech;

/// <summary>
/// A mirror target whose adtech can remove the members last added before a time (Google's Data Manager API,
/// <c>removeAll</c> with <c>removeAsOfTime</c>). A full resync adds every member again and then removes those added
/// before it began: the audience ends up holding exactly the members, and is never empty on the way.
/// </summary>
public interface IReplacingMirrorTarget
{
    /// <summary>Removes the members last added before <paramref name="syncStarted"/> (less a margin for clock skew).</summary>
    Task<MirrorAnswer> RemoveAddedBeforeAsync(DateTimeOffset syncStarted, CancellationToken cancellationToken);
}

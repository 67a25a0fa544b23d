using Portal.Core.Adtech.Sync;

namespace Portal.Core.Adtech;

/// <summary>
/// A mirror target that can leave work running at the adtech when a sync ends (a Google Ads offline user data job still
/// RUNNING when polling gave up). Before the next sync computes its difference, <see cref="SettleAsync"/> waits for that
/// work to end and journals its batch into <paramref name="snapshot"/> when it succeeded.
/// </summary>
public interface ISettlingMirrorTarget
{
    /// <summary>Null when nothing was left or it is settled now; otherwise the refusal that ends this sync before anything is sent.</summary>
    Task<MirrorAnswer?> SettleAsync(MirrorSnapshot snapshot, CancellationToken cancellationToken);
}

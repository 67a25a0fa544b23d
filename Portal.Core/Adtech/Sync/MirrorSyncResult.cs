namespace Portal.Core.Adtech.Sync;

public enum MirrorSyncOutcome
{
    /// <summary>Nothing to add or remove: nothing was sent.</summary>
    NoChange,

    /// <summary>Every add and remove was accepted and the snapshot advanced.</summary>
    Synced,

    /// <summary>The adtech refused a batch; what it accepted before is kept, and the next sync resumes from there.</summary>
    Failed,
}

/// <summary>
/// What one sync did, for the run record: <see cref="Added"/> and <see cref="Removed"/> the members the adtech accepted
/// in this run (out of <see cref="ToAdd"/> and <see cref="ToRemove"/>); <see cref="Unchanged"/> those it held already;
/// <see cref="Invalid"/> identifier values dropped as invalid; <see cref="EmptyMembers"/> members left with no valid
/// identifier (not sent); <see cref="Duplicates"/> members with the same identifiers as another (sent once);
/// <see cref="Rejected"/> members the adtech reported as invalid in accepted batches; <see cref="LastAnswer"/> the
/// adtech's last answer (null when nothing was sent); <see cref="Refreshed"/> members held already but sent again
/// because their last add was about to outlive the target's membership lifetime (out of <see cref="ToRefresh"/>; not
/// counted in <see cref="Added"/> nor <see cref="Unchanged"/>); <see cref="Hashed"/> members normalized and hashed
/// this time (the others were known to the snapshot by the digest of their raw values).
/// </summary>
public sealed record MirrorSyncResult(MirrorSyncOutcome Outcome, long Added, long Removed, long Unchanged, long ToAdd, long ToRemove,
    long Invalid, long EmptyMembers, long Duplicates, long Rejected, int Batches, TimeSpan Duration, MirrorAnswer? LastAnswer,
    long Refreshed = 0, long ToRefresh = 0, long Hashed = 0)
{
    public bool Succeeded => Outcome != MirrorSyncOutcome.Failed;
}

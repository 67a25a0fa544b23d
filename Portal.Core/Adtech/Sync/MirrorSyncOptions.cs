namespace Portal.Core.Adtech.Sync;

/// <summary>Where a sync keeps its work files, how much memory it may use, and how early it re-adds members before a membership lifetime runs out.</summary>
public sealed class MirrorSyncOptions
{
    public const string Section = "Adtech:Sync";

    /// <summary>A local folder for the work files of syncs (sorted runs, adds, removes), each sync in a folder of its own deleted after it.</summary>
    public string WorkFolder { get; set; } = Path.Combine(Path.GetTempPath(), "portal-sync");

    /// <summary>Bytes of records sorted in memory at once, at most (about 150 bytes a member with three identifiers).</summary>
    public int RunBytes { get; set; } = 32 * 1024 * 1024;

    /// <summary>
    /// Members whose raw digests are held in memory at once (12 to 24 bytes each). A snapshot with more has its digests
    /// split into partitions looked up one at a time: the members are then read twice (their digests written to disk by
    /// partition, then the ones not found hashed) instead of once.
    /// </summary>
    public int DigestMembers { get; set; } = 1_000_000;

    /// <summary>
    /// How large the journal of accepted batches may grow, in percent of the snapshot's size, before a sync folds it into
    /// a new snapshot; below it a sync keeps its batches in the journal and writes only the digests, not the snapshot.
    /// </summary>
    public int JournalFoldPercent { get; set; } = 25;

    /// <summary>How long before a target's membership lifetime runs out a member is added again.</summary>
    public TimeSpan RefreshMargin { get; set; } = TimeSpan.FromDays(30);
}

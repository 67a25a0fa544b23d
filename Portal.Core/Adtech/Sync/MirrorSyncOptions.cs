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
    /// Members whose raw digests are held in memory at once (12 to 24 bytes each): a snapshot with more has its digests
    /// split into partitions, and the members are read once per partition.
    /// </summary>
    public int DigestMembers { get; set; } = 3_000_000;

    /// <summary>
    /// How large the journal of accepted batches may grow, in percent of the snapshot's size, before a sync folds it into
    /// a new snapshot; below it a sync keeps its batches in the journal and writes only the digests, not the snapshot.
    /// </summary>
    public int JournalFoldPercent { get; set; } = 25;

    /// <summary>How long before a target's membership lifetime runs out a member is added again.</summary>
    public TimeSpan RefreshMargin { get; set; } = TimeSpan.FromDays(30);
}

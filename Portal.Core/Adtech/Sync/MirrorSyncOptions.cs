namespace Portal.Core.Adtech.Sync;

/// <summary>Where a sync keeps its work files and how much memory its sort may use.</summary>
public sealed class MirrorSyncOptions
{
    public const string Section = "Adtech:Sync";

    /// <summary>A local folder for the work files of syncs (sorted runs, adds, removes), each sync in a folder of its own deleted after it.</summary>
    public string WorkFolder { get; set; } = Path.Combine(Path.GetTempPath(), "portal-sync");

    /// <summary>Bytes of records sorted in memory at once (about 130 bytes a member with three identifiers).</summary>
    public int RunBytes { get; set; } = 32 * 1024 * 1024;
}

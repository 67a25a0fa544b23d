namespace Portal.Core.Adtech.Sync;

/// <summary>What a sync does with a record of its adds file (kept as zero in snapshots and journals).</summary>
public enum RecordFlags : ushort
{
    /// <summary>Held already: journaled with the batch it falls in (to keep its new raw digest), not sent.</summary>
    None = 0,

    /// <summary>A member the adtech does not hold: sent as an add.</summary>
    Add = 1,

    /// <summary>A member held since before the target's membership lifetime minus its margin: sent again as an add.</summary>
    Refresh = 2,
}

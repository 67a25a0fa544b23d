namespace Portal.Core.Adtech.Sync;

/// <summary>What a batch asks of the adtech.</summary>
public enum MirrorChange
{
    Remove,
    Add,
}

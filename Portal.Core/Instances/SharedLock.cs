namespace Portal.Core.Instances;

/// <summary>
/// A named lock that portal instances sharing one database take turns on (a background warm-up, start-up's seeding):
/// held by one instance until it lets go or stops renewing it, as a running job's lease is.
/// </summary>
public sealed class SharedLock
{
    public required string Name { get; set; }
    public required string Owner { get; set; }
    public DateTime ExpiresAt { get; set; }
}

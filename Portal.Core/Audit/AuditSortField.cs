namespace Portal.Core.Audit;

/// <summary>What the audit log grid sorts by (when: the newest first by default).</summary>
public enum AuditSortField
{
    At,
    Actor,
    Action,
    Target,
}

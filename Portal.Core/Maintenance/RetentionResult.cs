namespace Portal.Core.Maintenance;

/// <summary>What one retention run removed.</summary>
public sealed record RetentionResult(int Jobs, int ExportRuns, int RefreshHistory, int AuditEntries, int BucketFiles)
{
    public string Describe() =>
        $"{Jobs} job(s), {ExportRuns} export run(s), {RefreshHistory} segment refresh(es), {AuditEntries} audit entr{(AuditEntries == 1 ? "y" : "ies")}, {BucketFiles} bucket file(s)";
}

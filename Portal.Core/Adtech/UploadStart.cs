using Portal.Core.Adtech.Sync;

namespace Portal.Core.Adtech;

/// <summary>
/// Where an upload starts. <paramref name="ExportKey"/> is the base of every request's idempotency key
/// (<c>{key}:create</c>, <c>{key}:job</c>, <c>{key}:batch:{n}</c>, <c>{key}:run</c>), the same for every run of one export,
/// so a request repeated by a retry or by a resumed run is applied once. A resumed upload also has what earlier runs got:
/// the audience's id, a job-style API's job, and how many batches of <paramref name="BatchSize"/> members were committed
/// (members come in a stable order, so those are skipped). <paramref name="RunId"/> is the export's first run, which
/// job-style APIs quote in the job (Google's <c>externalId</c>). <paramref name="EstimatedMembers"/>, when known, is how many
/// members the upload has (Meta's session quotes it). <paramref name="LookUpFirst"/>: an earlier run of the audience ended
/// without an id, after a create whose outcome may be unknown (its answer lost, or the process stopped), so the audience
/// is looked up by its name before it is created. <paramref name="Seed"/>, for a mirror target, records the snapshot of
/// what the upload sends as it hashes (only when it sends every member from the first).
/// </summary>
public sealed record UploadStart(string ExportKey, long? RunId = null, string? AudienceId = null, string? Job = null, int CommittedBatches = 0, int? BatchSize = null,
    long? EstimatedMembers = null, bool LookUpFirst = false, ExportSeed? Seed = null)
{
    public static UploadStart Fresh() => new(Guid.NewGuid().ToString("N"));
}

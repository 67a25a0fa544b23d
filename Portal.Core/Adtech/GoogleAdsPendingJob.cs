using System.Text.Json;
using Portal.Core.Adtech.Sync;
using Portal.Core.Audiences;

namespace Portal.Core.Adtech;

/// <summary>
/// The offline user data job of a sync that was still running when polling gave up, kept in the bucket beside the
/// audience's sync snapshot: <c>sync/&lt;audience&gt;/googleAds.pending-job</c> (the job's resource name and whether it
/// removes or adds) and <c>….pending-job.records</c> (its batch as <see cref="MirrorRecord"/>s, in key order, to journal
/// when the job turns out to have succeeded).
/// </summary>
public sealed class GoogleAdsPendingJob(IBucket bucket, string audience)
{
    public string Path { get; } = $"{MirrorSnapshot.Folder}/{audience}/{AdtechKeys.GoogleAds}.pending-job";

    private string RecordsPath => Path + ".records";

    /// <summary>The job left running, with its change and its batch's records; null when there is none.</summary>
    public async Task<(string Job, MirrorChange Change, byte[] Records)?> LoadAsync(CancellationToken cancellationToken)
    {
        var text = await bucket.ReadTextAsync(Path, cancellationToken);
        if (text is null || !await bucket.ExistsAsync(RecordsPath, cancellationToken))
        {
            return null;
        }

        var saved = JsonSerializer.Deserialize<Saved>(text.Text)!;
        await using var stream = await bucket.OpenReadAsync(RecordsPath, cancellationToken);
        using var records = new MemoryStream();
        await stream.CopyToAsync(records, cancellationToken);
        return (saved.Job, saved.Change, records.ToArray());
    }

    /// <summary>Records <paramref name="job"/>, running <paramref name="batch"/> as <paramref name="change"/>s (the records first, then the job that names them).</summary>
    public async Task SaveAsync(string job, MirrorChange change, IReadOnlyList<HashedMember> batch, CancellationToken cancellationToken)
    {
        var records = new byte[batch.Sum(MirrorRecord.Length)];
        var at = 0;
        foreach (var member in batch)
        {
            var length = MirrorRecord.Length(member);
            MirrorRecord.Write(member, records.AsSpan(at, length));
            at += length;
        }

        await bucket.WriteAsync(RecordsPath, (stream, ct) => stream.WriteAsync(records, ct).AsTask(), cancellationToken);
        await bucket.WriteTextAsync(Path, JsonSerializer.Serialize(new Saved(job, change)), null, cancellationToken);
    }

    public async Task DeleteAsync(CancellationToken cancellationToken)
    {
        await bucket.DeleteAsync(Path, cancellationToken);
        await bucket.DeleteAsync(RecordsPath, cancellationToken);
    }

    private sealed record Saved(string Job, MirrorChange Change);
}

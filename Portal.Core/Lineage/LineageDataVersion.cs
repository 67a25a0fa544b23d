using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Portal.Core.Audiences;

namespace Portal.Core.Lineage;

/// <summary>
/// A cheap stamp of everything the lineage is built from: it differs whenever the graph could. Two parts: a count of
/// the portal's database writes (<see cref="LineageWriteInterceptor"/> counts every write command and committed
/// transaction, whatever the table: rules, segments, jobs, export runs, uploads), and the bucket's listing of audience
/// state files and member data (path, size, time: an audience file edited outside the portal changes it too). The
/// portal is the database's only writer while it runs (the seed command runs with it stopped). Thread-safe.
/// </summary>
public sealed class LineageDataVersion(IBucket bucket)
{
    private long _writes;

    /// <summary>Database writes seen so far.</summary>
    public long Writes => Interlocked.Read(ref _writes);

    /// <summary>Called after a write to the database (a command, or a transaction's commit).</summary>
    public void Written() => Interlocked.Increment(ref _writes);

    /// <summary>The stamp now: the write count (read first, so a write during a build is never missed) and the bucket's listing, hashed.</summary>
    public async Task<string> CurrentAsync(CancellationToken cancellationToken = default)
    {
        var writes = Writes;
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var folder in new[] { AudienceCatalog.StateFolder, AudienceCatalog.DataFolder })
        {
            await foreach (var item in bucket.ListAsync(folder, cancellationToken))
            {
                hash.AppendData(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{item.Path}|{item.Size}|{item.LastModified.Ticks}\n")));
            }
        }

        return string.Create(CultureInfo.InvariantCulture, $"{writes}:{Convert.ToHexString(hash.GetHashAndReset())}");
    }
}

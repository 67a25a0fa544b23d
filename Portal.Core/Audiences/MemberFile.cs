using System.Runtime.CompilerServices;
using System.Text.Json.Serialization;
using Parquet;
using Parquet.Serialization;

namespace Portal.Core.Audiences;

/// <summary>
/// An audience's member data: <c>data/&lt;name&gt;.parquet.gz</c>, Parquet with gzip-compressed pages and the seed's
/// three multi-value columns (<c>email</c>, <c>phone_number</c>, <c>zip_code</c>, each a list of text). Written and
/// read one row group at a time, so memory follows the row-group size, not the audience size.
/// </summary>
public static class MemberFile
{
    public const int RowGroupSize = 50_000;

    private static ParquetOptions Options(bool append) => new()
    {
        CompressionMethod = CompressionMethod.Gzip,
        RowGroupSize = RowGroupSize,
        Append = append,
    };

    /// <summary>Writes all members (atomically: readers see the old file or the new one). Returns how many were written.</summary>
    public static async Task<long> WriteAsync(IBucket bucket, string audience, IAsyncEnumerable<Member> members, CancellationToken cancellationToken = default)
    {
        long count = 0;
        await bucket.WriteAsync(AudienceCatalog.DataPath(audience), async (stream, ct) =>
        {
            var batch = new List<MemberRow>(RowGroupSize);
            var first = true;
            await foreach (var member in members.WithCancellation(ct))
            {
                batch.Add(MemberRow.From(member));
                if (batch.Count == RowGroupSize)
                {
                    await FlushAsync(batch, stream, first, ct);
                    count += batch.Count;
                    batch.Clear();
                    first = false;
                }
            }

            if (batch.Count > 0 || first)
            {
                await FlushAsync(batch, stream, first, ct);
                count += batch.Count;
            }
        }, cancellationToken);
        return count;
    }

    public static Task<long> WriteAsync(IBucket bucket, string audience, IEnumerable<Member> members, CancellationToken cancellationToken = default) =>
        WriteAsync(bucket, audience, members.ToAsyncEnumerable(), cancellationToken);

    /// <summary>Streams the members back, one row group in memory at a time.</summary>
    public static async IAsyncEnumerable<Member> ReadAsync(IBucket bucket, string audience, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using var stream = await bucket.OpenReadAsync(AudienceCatalog.DataPath(audience), cancellationToken);
        int groups;
        await using (var reader = await ParquetReader.CreateAsync(stream, leaveStreamOpen: true, cancellationToken: cancellationToken))
        {
            groups = reader.RowGroupCount;
        }

        for (var g = 0; g < groups; g++)
        {
            stream.Position = 0;
            var rows = await ParquetSerializer.DeserializeAsync<MemberRow>(stream, Options(false), g, cancellationToken);
            foreach (var row in rows.Data)
            {
                yield return row.ToMember();
            }
        }
    }

    /// <summary>The member count from the file's footer, without reading its rows.</summary>
    public static async Task<long> CountAsync(IBucket bucket, string audience, CancellationToken cancellationToken = default)
    {
        await using var stream = await bucket.OpenReadAsync(AudienceCatalog.DataPath(audience), cancellationToken);
        await using var reader = await ParquetReader.CreateAsync(stream, cancellationToken: cancellationToken);
        return reader.Metadata?.NumRows ?? 0;
    }

    private static async Task FlushAsync(List<MemberRow> batch, Stream stream, bool first, CancellationToken cancellationToken)
    {
        if (!first)
        {
            stream.Position = 0;
        }

        await ParquetSerializer.SerializeAsync(batch, stream, Options(append: !first), cancellationToken: cancellationToken);
    }

    /// <summary>The Parquet row: column names as the seed's Member model has them.</summary>
    public sealed class MemberRow
    {
        [JsonPropertyName("email")]
        public List<string>? Email { get; set; }

        [JsonPropertyName("phone_number")]
        public List<string>? PhoneNumber { get; set; }

        [JsonPropertyName("zip_code")]
        public List<string>? ZipCode { get; set; }

        public static MemberRow From(Member m) => new() { Email = [.. m.Emails], PhoneNumber = [.. m.Phones], ZipCode = [.. m.Zips] };

        public Member ToMember() => new(Email ?? [], PhoneNumber ?? [], ZipCode ?? []);
    }
}

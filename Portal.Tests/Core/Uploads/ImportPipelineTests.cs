using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Audiences;
using Portal.Core.Uploads;
using Portal.Tests.TestSupport;
using static Portal.Tests.Core.Uploads.UploadSamples;

namespace Portal.Tests.Core.Uploads;

/// <summary>
/// The import's two stages (reading and checking rows; checking them against the database and writing row groups) run
/// side by side over two batches: the outcome is the one of a single batch, and a failure in either keeps nothing.
/// </summary>
public sealed class ImportPipelineTests : DatabaseTest
{
    private static readonly string[] Rows =
    [
        "1,1,10.00,Air,Travel,2026-10-10 12:00:00", // kept
        "2,2,20.00,Air,Travel,2026-10-10 12:00:00", // kept
        "3,1,30.00,Air,,2026-10-10 12:00:00", // missing category
        "4,1,40.00,Air,Travel,2026-10-10 12:00:00", // kept
        "1,1,10,Air,Travel,2026-10-10T12:00:00Z", // the first row again, written otherwise: duplicate
        "3,1,30.00,Air,,2026-10-10 12:00:00", // the row with the missing value again: duplicate
        "3,1,31.00,Air,Travel,2026-10-10 12:00:00", // kept: key 3 was not kept by the row missing a value
        "2,2,21.00,Air,Travel,2026-10-10 12:00:00", // key 2 kept earlier: existing key
        "2,2,21.00,Air,Travel,2026-10-10 12:00:00", // that row again: duplicate
        "5,2,50.00,Air,Travel,2026-10-10 12:00:00", // kept
    ];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(100_000)]
    public async Task Import_DuplicatesAndKeysAcrossRowGroups_CountedAsInOneBatch(int rowGroupSize)
    {
        await using var host = await CoreHost.StartAsync(Folder, settings: new Dictionary<string, string?> { ["Uploads:RowGroupSize"] = $"{rowGroupSize}" });
        await host.ImportedAsync("users", null, "users.csv", Csv(UsersHeader, User(1), User(2)));

        var file = await host.ImportedAsync("credit_card_transactions", null, "card.csv", Csv(CardHeader, Rows));
        var clicks = await host.ImportedAsync("clicks", "2024-Q1", "clicks.csv", Csv("click_id,banner_id,campaign_id", "1,5,9", "2,5,9", "1,6,9", "1,5,9", "3,,9", "3,,9", "3,7,9", "1,6,9"));

        Assert.Equal((10L, 5L, 3L, 1L, 1L), (file.RowsIn, file.RowsKept, file.DroppedDuplicate, file.DroppedMissing, file.DroppedExistingKey));
        await using var db = await host.DbAsync();
        var stored = await db.CreditCardTransactions.OrderBy(t => t.TransactionId).Select(t => new { t.TransactionId, t.Amount }).ToListAsync();
        Assert.Equal([(1L, 10m), (2L, 20m), (3L, 31m), (4L, 40m), (5L, 50m)], stored.Select(t => (t.TransactionId, t.Amount)));
        Assert.Equal([1L, 2L, 4L, 3L, 5L], await StoredInt64Async(host, file.StoredPath!, "transaction_id"));
        Assert.Equal((8L, 3L, 3L, 1L, 1L), (clicks.RowsIn, clicks.RowsKept, clicks.DroppedDuplicate, clicks.DroppedMissing, clicks.DroppedExistingKey));
        Assert.Equal([1L, 2L, 3L], await StoredInt64Async(host, clicks.StoredPath!, "click_id"));
    }

    [Fact]
    public async Task Import_ParquetWriteFailsMidway_FailsAndKeepsNothing()
    {
        var bucket = new FailingBucket(Path.Combine(Folder.Path, "bucket"), failAfterBytes: 20_000);
        await using var host = await CoreHost.StartAsync(Folder, services => services.AddSingleton<IBucket>(bucket),
            new Dictionary<string, string?> { ["Uploads:RowGroupSize"] = "1000" });
        await host.ImportedAsync("users", null, "users.csv", Csv(UsersHeader, User(1), User(2)));
        var rows = Enumerable.Range(1, 20_000).Select(i => Card(i, 1 + (i % 2), 12.5m)).ToArray();
        var path = await PutAsync(host, "uploads/incoming/big.csv", Csv(CardHeader, rows));
        bucket.Failing = true;

        var failure = await Assert.ThrowsAsync<IOException>(() => host.Get<DatasetImporter>().ImportAsync(
            new ImportRequest("credit_card_transactions", null, "big.csv", path, "marketer@tests.local", ImportSource.Upload)));

        Assert.Equal("injected write failure", failure.Message);
        Assert.True(bucket.Written >= 20_000, "row groups were written before the failure");
        bucket.Failing = false;
        await using var db = await host.DbAsync();
        Assert.Equal(0, await db.CreditCardTransactions.CountAsync());
        var catalog = await db.ImportedFiles.AsNoTracking().SingleAsync(f => f.FileName == "big.csv");
        Assert.Equal(ImportStatus.Failed, catalog.Status);
        Assert.Empty(await FilesAsync(host, DatasetFiles.StagingFolder));
        Assert.Empty(await FilesAsync(host, $"{DatasetFiles.DatasetsFolder}/credit_card_transactions"));
    }

    [Fact]
    public async Task Import_UnknownUserInAnEarlierBatchAndTypeErrorInALaterOne_ReportsTheUnknownUser()
    {
        await using var host = await CoreHost.StartAsync(Folder, settings: new Dictionary<string, string?> { ["Uploads:RowGroupSize"] = "100" });
        await host.ImportedAsync("users", null, "users.csv", Csv(UsersHeader, User(1), User(2)));
        var rows = Enumerable.Range(1, 5_000).Select(i => Card(i, i == 2 ? 99 : 1, 1m)).Append("5001,1,oops,Air,Travel,2026-10-10 12:00:00").ToArray();

        var file = await host.ImportAsync("credit_card_transactions", null, "card.csv", Csv(CardHeader, rows));

        Assert.Equal(ImportStatus.Rejected, file.Status);
        Assert.Equal("line 3, column 2 (\"user_id\"): 99 is not in users; import the users first.", file.Error);
        Assert.Equal((3L, "user_id"), (file.ErrorLine!.Value, file.ErrorColumn));
        await using var db = await host.DbAsync();
        Assert.Equal(0, await db.CreditCardTransactions.CountAsync());
        Assert.Empty(await FilesAsync(host, DatasetFiles.StagingFolder));
    }

    /// <summary>A local bucket whose staged Parquet files fail to write after some bytes, while <see cref="Failing"/>.</summary>
    private sealed class FailingBucket(string path, long failAfterBytes) : LocalBucketDecorator(path)
    {
        public bool Failing { get; set; }

        public long Written { get; private set; }

        public override Task WriteAsync(string path, Func<Stream, CancellationToken, Task> write, CancellationToken cancellationToken = default) =>
            Failing && path.StartsWith(DatasetFiles.StagingFolder + "/", StringComparison.Ordinal)
                ? Inner.WriteAsync(path, (stream, ct) => write(new FailingStream(stream, this, failAfterBytes), ct), cancellationToken)
                : Inner.WriteAsync(path, write, cancellationToken);

        private sealed class FailingStream(Stream inner, FailingBucket bucket, long limit) : Stream
        {
            public override bool CanRead => false;
            public override bool CanSeek => false;
            public override bool CanWrite => true;
            public override long Length => bucket.Written;

            public override long Position
            {
                get => bucket.Written;
                set => throw new NotSupportedException();
            }

            public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

            public override void Write(ReadOnlySpan<byte> buffer)
            {
                Count(buffer.Length);
                inner.Write(buffer);
            }

            public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
            {
                Count(buffer.Length);
                await inner.WriteAsync(buffer, cancellationToken);
            }

            public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
                WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

            private void Count(int bytes)
            {
                if (bucket.Written >= limit)
                {
                    throw new IOException("injected write failure");
                }

                bucket.Written += bytes;
            }

            public override void Flush() => inner.Flush();

            public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

            public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

            public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

            public override void SetLength(long value) => throw new NotSupportedException();
        }
    }
}

using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Parquet;
using Portal.Core.Data;
using Portal.Core.Uploads;
using Portal.Tests.TestSupport;
using static Portal.Tests.Core.Uploads.UploadSamples;

namespace Portal.Tests.Core.Uploads;

/// <summary>
/// On SQLite a table dataset is de-duplicated against its stage (a temp table, found through a Bloom filter) instead of
/// a map in memory. Both must drop and keep exactly the same rows, in every case: repeats within and across batches,
/// equal rows, other values for a key, missing values before or after a full row, keys already in the table.
/// </summary>
[Trait("Database", "SqliteOnly")] // the SQLite path itself (its key stage, pragmas, index rebuild); PostgreSQL has its own
public sealed class StagedDeduplicationTests : DatabaseTest
{
    private static readonly DatasetSchema Cards = DatasetCatalog.Find(DatasetCatalog.CreditCardTransactions)!;

    /// <summary>
    /// Rows over few keys and few values, so every case comes up; some keys are in the table already (1–30). In order:
    /// keys mostly rising, as ids do (the stage's log), with repeats and one key in twenty from before (its table).
    /// </summary>
    private static byte[] MessyCards(int seed, int rows, bool inOrder = false)
    {
        var random = new Random(seed);
        var csv = new StringBuilder(CardHeader).Append('\n');
        for (var i = 0; i < rows; i++)
        {
            var id = !inOrder ? random.Next(1, 400)
                : random.Next(0, 20) == 0 ? random.Next(1, 1 + (i / 3)) // from before
                : 1 + (i / 3) + random.Next(0, 2); // rising, repeated
            var user = 1 + random.Next(0, 3);
            var amount = random.Next(0, 10) == 0 ? "" : (1 + random.Next(0, 3)).ToString(CultureInfo.InvariantCulture) + ".00";
            var category = random.Next(0, 2) == 0 ? "Travel" : "Food";
            csv.Append(CultureInfo.InvariantCulture, $"{id},{user},{amount},Shop,{category},2026-10-0{1 + random.Next(0, 2)} 12:00:00\n");
        }

        return Encoding.UTF8.GetBytes(csv.ToString());
    }

    private static async Task<CoreHost> HostWithTableAsync(TestFolder folder)
    {
        var host = await CoreHost.StartAsync(folder);
        await host.ImportedAsync("users", null, "users.csv", Csv(UsersHeader, User(1), User(2), User(3)));
        await host.ImportedAsync("credit_card_transactions", null, "stored.csv",
            Csv(CardHeader, [.. Enumerable.Range(1, 30).Select(i => Card(i, 1, 9m))]));
        return host;
    }

    private static async Task<(CsvImportResult Result, List<long> Kept, List<long>? Staged)> ReadAsync(CoreHost host, byte[] csv, bool staged, int filterBits)
    {
        var factory = host.Get<IDbContextFactory<PortalDbContext>>();
        await using var session = await ImportSession.OpenAsync(factory, Cards, CancellationToken.None);
        var stage = staged ? session.Stage : null;
        using var parquet = new MemoryStream();
        var result = await new CsvImport(Cards, RowDeduplication.For(Cards, [], stage, filterBits), new TableLookup(factory), batchSize: 37)
            .RunAsync(new MemoryStream(csv), parquet, progress: null, CancellationToken.None);

        parquet.Position = 0;
        var kept = new List<long>();
        await using (var reader = await ParquetReader.CreateAsync(parquet))
        {
            var field = reader.Schema.DataFields.Single(f => f.Name == "transaction_id");
            for (var g = 0; g < reader.RowGroupCount; g++)
            {
                using var group = reader.OpenRowGroupReader(g);
                var values = new long[group.RowCount];
                await group.ReadAsync<long>(field, values);
                kept.AddRange(values);
            }
        }

        List<long>? inStage = null;
        if (stage is not null)
        {
            Assert.Equal(result.RowsKept, stage.Rows);
            // the keys the stage has as kept, among every key the files use (and some they do not)
            inStage = [.. Enumerable.Range(0, 2_000).Select(k => (long)k).Where(k => stage.Find(k) is (true, _, StageState.Kept))];
        }

        return (result, kept, inStage);
    }

    [Theory]
    [InlineData(1, KeyFilter.DefaultBits)]
    [InlineData(2, KeyFilter.DefaultBits)]
    [InlineData(3, 64)] // a filter this small says "maybe" for nearly every key: the lookups settle them
    [InlineData(4, 256)]
    [InlineData(5, KeyFilter.DefaultBits, true)] // keys mostly rising: the stage's log, and its table for the others
    [InlineData(6, 64, true)]
    public async Task Read_MessyFileWithAStage_DropsAndKeepsWhatTheMapInMemoryDoes(int seed, int filterBits, bool inOrder = false)
    {
        await using var host = await HostWithTableAsync(Folder);
        var csv = MessyCards(seed, 3_000, inOrder);

        var (memory, memoryKept, _) = await ReadAsync(host, csv, staged: false, filterBits);
        var (staged, stagedKept, inStage) = await ReadAsync(host, csv, staged: true, filterBits);

        Assert.Equal((memory.RowsIn, memory.RowsKept, memory.DroppedDuplicate, memory.DroppedMissing, memory.DroppedExistingKey, memory.MissingValues),
            (staged.RowsIn, staged.RowsKept, staged.DroppedDuplicate, staged.DroppedMissing, staged.DroppedExistingKey, staged.MissingValues));
        Assert.Equal(memoryKept, stagedKept);
        Assert.Equal(stagedKept.Order(), inStage!);
        // every case came up
        Assert.True(memory.DroppedDuplicate > 50 && memory.DroppedMissing > 50 && memory.DroppedExistingKey > 50 && memory.RowsKept > 100,
            $"dup {memory.DroppedDuplicate}, missing {memory.DroppedMissing}, existing {memory.DroppedExistingKey}, kept {memory.RowsKept}");
        Assert.DoesNotContain(stagedKept, k => k <= 30);
    }

    [Fact]
    public async Task Read_KeyFirstSeenWithAMissingValue_TakenByTheNextFullRowAndItsCopiesAreDuplicates()
    {
        await using var host = await HostWithTableAsync(Folder);
        var csv = Csv(CardHeader,
            "100,1,,Shop,Travel,2026-10-01 12:00:00", // missing amount: noted, not kept
            "100,1,,Shop,Travel,2026-10-01 12:00:00", // the same row: a duplicate
            "100,1,4.00,Shop,Travel,2026-10-01 12:00:00", // takes the key
            "100,1,4.00,Shop,Travel,2026-10-01 12:00:00", // its copy: a duplicate
            "100,2,5.00,Shop,Travel,2026-10-01 12:00:00", // another row for the key: dropped
            "5,1,4.00,Shop,Travel,2026-10-01 12:00:00", // in the table
            "5,1,6.00,Shop,Travel,2026-10-01 12:00:00"); // the key was taken by the row the table has

        foreach (var bits in new[] { KeyFilter.DefaultBits, 64 })
        {
            var (result, kept, inStage) = await ReadAsync(host, csv, staged: true, bits);

            Assert.Equal((7L, 1L, 2L, 1L, 3L), (result.RowsIn, result.RowsKept, result.DroppedDuplicate, result.DroppedMissing, result.DroppedExistingKey));
            Assert.Equal([100L], kept);
            Assert.Equal([100L], inStage!);
        }
    }

    [Fact]
    public void KeyFilter_KeysAdded_AreAlwaysMaybeAndFewOthersAre()
    {
        var filter = new KeyFilter();
        for (long key = 0; key < 200_000; key += 2)
        {
            Assert.False(filter.TestAndAdd(key) && key == 0, "an empty filter has seen nothing");
        }

        var maybe = 0;
        for (long key = 0; key < 200_000; key++)
        {
            var seen = filter.TestAndAdd(key);
            if (key % 2 == 0)
            {
                Assert.True(seen, $"{key} was added");
            }
            else if (seen)
            {
                maybe++;
            }
        }

        Assert.True(maybe < 20, $"{maybe} of 100,000 keys never added said maybe");
    }
}

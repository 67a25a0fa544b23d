using System.Text;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Uploads;
using Portal.Tests.TestSupport;
using static Portal.Tests.Core.Uploads.UploadSamples;

namespace Portal.Tests.Core.Uploads;

/// <summary>Every rejection of the precheck: what it says (line, column), and that nothing is kept.</summary>
public sealed class CsvChecksTests : DatabaseTest
{
    private static async Task<ImportedFile> RejectedAsync(CoreHost host, string dataset, string? partition, string fileName, byte[] content)
    {
        var before = await FilesAsync(host, DatasetFiles.DatasetsFolder);
        var file = await host.ImportAsync(dataset, partition, fileName, content);
        Assert.Equal(ImportStatus.Rejected, file.Status);
        Assert.Equal(before, await FilesAsync(host, DatasetFiles.DatasetsFolder));
        Assert.Empty(await FilesAsync(host, DatasetFiles.StagingFolder));
        return file;
    }

    [Fact]
    public async Task Import_WrongHeader_RejectedNamingMissingAndUnknownColumns()
    {
        await using var host = await CoreHost.StartAsync(Folder);

        var file = await RejectedAsync(host, "clicks", "2024-Q1", "clicks.csv", Csv("click_id,banner,campaign_id", "1,2,3"));

        Assert.StartsWith("line 1 (header): missing column \"banner_id\"; unknown column \"banner\".", file.Error, StringComparison.Ordinal);
        Assert.Equal(1, file.ErrorLine);
        Assert.Equal("banner_id", file.ErrorColumn);
        await using var db = await host.DbAsync();
        Assert.Equal(1, await db.DatasetHealthDays.Where(d => d.Dataset == "clicks").SumAsync(d => d.FilesRejected));
    }

    [Fact]
    public async Task Import_HeaderInAnotherOrderAndCase_IsAccepted()
    {
        await using var host = await CoreHost.StartAsync(Folder);

        var file = await host.ImportedAsync("clicks", "2024-q1", "clicks.csv", Csv("Campaign_ID, click_id ,BANNER_ID", "30,1,20", "31,2,21"));

        Assert.Equal("2024-Q1", file.Partition);
        Assert.Equal("datasets/clicks/2024-Q1/clicks.parquet", file.StoredPath);
        Assert.Equal([1L, 2L], await StoredInt64Async(host, file.StoredPath!, "click_id"));
        Assert.Equal([20L, 21L], await StoredInt64Async(host, file.StoredPath!, "banner_id"));
        Assert.Equal([30L, 31L], await StoredInt64Async(host, file.StoredPath!, "campaign_id"));
    }

    [Fact]
    public async Task Import_DuplicateColumnInHeader_Rejected()
    {
        await using var host = await CoreHost.StartAsync(Folder);

        var file = await RejectedAsync(host, "impressions", "2024-Q1", "i.csv", Csv("banner_id,campaign_id,Banner_ID", "1,2,1"));

        Assert.StartsWith("line 1 (header): \"banner_id\" more than once.", file.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1,2,x", 3, "click_id,banner_id,campaign_id", "line 3, column 3 (\"campaign_id\"): 'x' is not a valid Int64")]
    [InlineData("1,2.5,3", 3, "click_id,banner_id,campaign_id", "line 3, column 2 (\"banner_id\"): '2.5' is not a valid Int64")]
    [InlineData("1,2,3", 3, "campaign_id,click_id,banner_id", null)]
    public async Task Import_WrongType_RejectedWithLineAndColumn(string badRow, int line, string header, string? expected)
    {
        await using var host = await CoreHost.StartAsync(Folder);

        var file = await host.ImportAsync("clicks", "2024-Q1", "clicks.csv", Csv(header, "7,8,9", badRow, "10,11,12"));

        if (expected is null)
        {
            Assert.Equal(ImportStatus.Imported, file.Status);
            return;
        }

        Assert.Equal(ImportStatus.Rejected, file.Status);
        Assert.Equal(expected, file.Error);
        Assert.Equal(line, file.ErrorLine);
        Assert.Empty(await FilesAsync(host, DatasetFiles.DatasetsFolder));
    }

    [Theory]
    [InlineData("1,5,12.345,M,Travel,2026-01-01", "column 3 (\"amount\"): '12.345' has more than 2 decimal places")]
    [InlineData("1,5,1e3,M,Travel,2026-01-01", "column 3 (\"amount\"): '1e3' is not a valid Decimal")]
    [InlineData("1,5,12.30,M,Travel,01/02/2026", "column 6 (\"transaction_date\"): '01/02/2026' is not a valid DateTime")]
    [InlineData("1,5,12.30,M,Travel,2026-02-30", "column 6 (\"transaction_date\"): '2026-02-30' is not a valid DateTime")]
    public async Task Import_WrongTypedValue_NamesColumnValueAndType(string row, string expected)
    {
        await using var host = await CoreHost.StartAsync(Folder);
        await host.ImportedAsync("users", null, "users.csv", Csv(UsersHeader, User(5)));

        var file = await RejectedAsync(host, "credit_card_transactions", null, "cc.csv", Csv(CardHeader, row));

        Assert.StartsWith($"line 2, {expected}", file.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Import_ValueOutOfRangeOrTooLong_Rejected()
    {
        await using var host = await CoreHost.StartAsync(Folder);

        var tier = await RejectedAsync(host, "users", null, "tier.csv", Csv(UsersHeader, User(1), User(2, tier: 4)));
        var name = await RejectedAsync(host, "users", null, "name.csv", Csv(UsersHeader, User(1).Replace("Uploaded 1", new string('n', 201), StringComparison.Ordinal)));

        Assert.Equal("line 3, column 7 (\"city_tier\"): '4' is not between 1 and 3", tier.Error);
        Assert.Equal("line 2, column 2 (\"name\"): the value (not shown: personal data) is longer than 200 characters", name.Error);
    }

    [Theory]
    [InlineData("email", 3, 320)]
    [InlineData("phone", 4, 32)]
    public async Task Import_PersonalDataValueTooLong_RejectedNamingLineColumnAndReasonWithoutTheValue(string column, int position, int limit)
    {
        await using var host = await CoreHost.StartAsync(Folder);
        var bad = column == "email" ? new string('e', 320) + "@example.com" : "+91" + new string('9', 40);
        var row = User(3).Split(',');
        row[position - 1] = bad;

        var file = await RejectedAsync(host, "users", null, "users.csv", Csv(UsersHeader, User(1), User(2), string.Join(',', row)));

        Assert.Equal($"line 4, column {position} (\"{column}\"): the value (not shown: personal data) is longer than {limit} characters", file.Error);
        Assert.Equal((4L, column), (file.ErrorLine, file.ErrorColumn));
        Assert.DoesNotContain(bad[..20], file.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Import_UsersFileWithoutItsHeader_RejectedWithoutRepeatingTheFirstRowsValues()
    {
        await using var host = await CoreHost.StartAsync(Folder);

        var file = await RejectedAsync(host, "users", null, "users.csv", Csv(User(1), User(2)));

        Assert.StartsWith("line 1 (header): missing columns \"user_id\"", file.Error, StringComparison.Ordinal);
        Assert.Contains("it names none of the columns, so it may be a row of data (is the header line missing?)", file.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("Uploaded 1", file.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("uploaded1@example.com", file.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("+919800000001", file.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Import_EmptyFile_Rejected()
    {
        await using var host = await CoreHost.StartAsync(Folder);

        var empty = await RejectedAsync(host, "impressions", "2024-Q1", "empty.csv", []);
        var blank = await RejectedAsync(host, "impressions", "2024-Q1", "blank.csv", Encoding.UTF8.GetBytes("\r\n\n\n"));

        Assert.Equal("The file is empty: it needs a header line and at least one row.", empty.Error);
        Assert.Equal(empty.Error, blank.Error);
        Assert.Equal((ImportStatus.Rejected, 0L), (empty.Status, empty.SizeBytes));
    }

    [Fact]
    public async Task Import_HeaderOnly_Rejected()
    {
        await using var host = await CoreHost.StartAsync(Folder);

        var file = await RejectedAsync(host, "impressions", "2024-Q1", "header.csv", Csv("banner_id,campaign_id"));

        Assert.Equal("The file has a header but no rows.", file.Error);
    }

    [Fact]
    public async Task Import_SameFileNameTwice_SecondRejectedAndNothingChanges()
    {
        await using var host = await CoreHost.StartAsync(Folder);
        var first = await host.ImportedAsync("impressions", "2024-Q1", "week1.csv", Csv("banner_id,campaign_id", "1,1"));

        var again = await RejectedAsync(host, "impressions", "2024-Q2", "week1.csv", Csv("banner_id,campaign_id", "2,2"));
        var otherDataset = await host.ImportAsync("clicks", "2024-Q1", "week1.csv", Csv("click_id,banner_id,campaign_id", "1,1,1"));

        Assert.StartsWith("A file named 'week1.csv' was already imported into impressions (2024-Q1) on ", again.Error, StringComparison.Ordinal);
        Assert.Equal(ImportStatus.Imported, otherDataset.Status);
        Assert.Equal(["datasets/clicks/2024-Q1/week1.parquet", "datasets/impressions/2024-Q1/week1.parquet"], await FilesAsync(host, DatasetFiles.DatasetsFolder));
        Assert.Equal((first.StoredPath, otherDataset.StoredPath), ("datasets/impressions/2024-Q1/week1.parquet", "datasets/clicks/2024-Q1/week1.parquet"));
    }

    [Fact]
    public async Task Import_InvalidUtf8_RejectedWithLine()
    {
        await using var host = await CoreHost.StartAsync(Folder);
        var latin1 = Encoding.Latin1.GetBytes("user_id,name,email,phone,zip_code,city,city_tier,created_at\n"
            + "1,Asha,a@example.com,,,Pune,1,2025-01-01\n"
            + "2,Zoë,z@example.com,,,Köln,2,2025-01-01\n");

        var file = await RejectedAsync(host, "users", null, "latin1.csv", latin1);

        Assert.Equal("line 3: the file is not UTF-8 (byte 0xEB is not valid there); save it as UTF-8 and upload it again", file.Error);
        Assert.Equal(3, file.ErrorLine);
    }

    [Fact]
    public async Task Import_Utf8WithBomAndMultibyteText_IsKeptAsWritten()
    {
        await using var host = await CoreHost.StartAsync(Folder);
        var bytes = Encoding.UTF8.GetPreamble().Concat(Csv(UsersHeader, "1,Zoë Ñandú 日本,z@example.com,,,Köln,2,2025-01-01")).ToArray();

        await host.ImportedAsync("users", null, "utf8.csv", bytes);

        await using var db = await host.DbAsync();
        var user = await db.Customers.SingleAsync(c => c.UserId == 1);
        Assert.Equal(("Zoë Ñandú 日本", "Köln", "", ""), (user.Name, user.City, user.Phone, user.ZipCode));
    }

    [Fact]
    public async Task Import_TransactionOfUnknownUser_RejectedWithLine()
    {
        await using var host = await CoreHost.StartAsync(Folder);
        await host.ImportedAsync("users", null, "users.csv", Csv(UsersHeader, User(1)));

        var file = await RejectedAsync(host, "upi_transactions", null, "upi.csv", Csv(UpiHeader,
            "10,1,5.00,Shop,Food,2026-01-01", "11,99,5.00,Shop,Food,2026-01-01"));

        Assert.Equal("line 3, column 2 (\"user_id\"): 99 is not in users; import the users first.", file.Error);
    }

    [Fact]
    public async Task Import_QuoteLeftOpen_RejectedWithLine()
    {
        await using var host = await CoreHost.StartAsync(Folder);

        var file = await RejectedAsync(host, "impressions", "2024-Q1", "quote.csv", Csv("banner_id,campaign_id", "1,2", "3,\"4", "5,6"));

        Assert.Equal("line 3: a quoted value does not end properly: it needs a closing quote, then a comma or the end of the line (is a quote left open?).", file.Error);
        Assert.Equal(3, file.ErrorLine);
    }

    [Fact]
    public async Task Import_QuoteInsideUnquotedValue_RejectedWithLineAndColumn()
    {
        await using var host = await CoreHost.StartAsync(Folder);

        var file = await RejectedAsync(host, "users", null, "quote.csv", Csv(UsersHeader, User(1), "2,Asha \"Ace\" Rao,a@example.com,,,Pune,1,2025-01-01"));

        Assert.Equal("line 3: column 2 has a quote inside a value that is not quoted as a whole (quote the value and double the quotes in it).", file.Error);
        Assert.Equal(3, file.ErrorLine);
    }

    [Fact]
    public async Task Import_LineBreakInQuotedValueAndBlankLines_LaterErrorsNameTheLineInTheFile()
    {
        await using var host = await CoreHost.StartAsync(Folder);

        // line 2-3: one row whose name holds a line break; line 4: blank; line 5: a bad city_tier
        var file = await RejectedAsync(host, "users", null, "lines.csv", Csv(UsersHeader,
            "1,\"Asha\nRao\",a@example.com,,,Pune,1,2025-01-01", "", "2,Bo,b@example.com,,,Pune,x,2025-01-01"));

        Assert.Equal("line 5, column 7 (\"city_tier\"): 'x' is not a valid Int64", file.Error);
        Assert.Equal(5, file.ErrorLine);
    }

    [Fact]
    public async Task Import_QuotedValuesWithCommasQuotesAndLineBreaks_AreKeptAsWritten()
    {
        await using var host = await CoreHost.StartAsync(Folder);

        await host.ImportedAsync("users", null, "quoted.csv", Csv(UsersHeader, "",
            "1,\"Rao, Asha \"\"Ace\"\"\nSecond line\",a@example.com,,,\"Pune\",1,2025-01-01", "", User(2)));

        await using var db = await host.DbAsync();
        var names = await db.Customers.Where(c => c.UserId <= 2).OrderBy(c => c.UserId).Select(c => c.Name).ToListAsync();
        Assert.Equal(["Rao, Asha \"Ace\"\nSecond line", "Uploaded 2"], names);
    }

    [Theory]
    [InlineData("nope", "2024-Q1", "There is no dataset 'nope'.")]
    [InlineData("clicks", "2024-Q5", "'2024-Q5' is not a quarter: write it like 2024-Q1")]
    [InlineData("clicks", "", "The dataset 'clicks' is partitioned by quarter: say which one, like 2024-Q1.")]
    [InlineData("users", "2024-Q1", "The dataset 'users' is not partitioned")]
    public async Task Import_UnknownDatasetOrBadPartition_Rejected(string dataset, string partition, string expected)
    {
        await using var host = await CoreHost.StartAsync(Folder);

        var file = await RejectedAsync(host, dataset, partition, "f.csv", Csv("banner_id,campaign_id", "1,2"));

        Assert.StartsWith(expected, file.Error, StringComparison.Ordinal);
    }
}

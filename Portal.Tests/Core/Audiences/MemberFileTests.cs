using DuckDB.NET.Data;
using Portal.Core.Audiences;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Core.Audiences;

public sealed class MemberFileTests : DatabaseTest
{
    private static Member MemberNo(int i) => new(
        i % 7 == 0 ? [] : [$"user{i}@example.com", $"alt{i}@example.org"],
        [$"+1415555{i % 10_000:D4}"],
        i % 3 == 0 ? [] : [$"{94000 + (i % 999):D5}"]);

    [Fact]
    public async Task WriteThenRead_AcrossSeveralRowGroups_GivesTheSameMembersInOrder()
    {
        var bucket = new LocalBucket(Folder.Path);
        const int count = (MemberFile.RowGroupSize * 2) + 123;
        var written = await MemberFile.WriteAsync(bucket, "big", Enumerable.Range(0, count).Select(MemberNo));
        Assert.Equal(count, written);

        var i = 0;
        await foreach (var member in MemberFile.ReadAsync(bucket, "big"))
        {
            var expected = MemberNo(i++);
            Assert.Equal(expected.Emails, member.Emails);
            Assert.Equal(expected.Phones, member.Phones);
            Assert.Equal(expected.Zips, member.Zips);
        }

        Assert.Equal(count, i);
        Assert.Equal(["data/big.parquet.gz"], await bucket.ListAsync("data").Select(x => x.Path).ToListAsync());
    }

    [Fact]
    public async Task Write_NoMembers_GivesAReadableEmptyFile()
    {
        var bucket = new LocalBucket(Folder.Path);
        Assert.Equal(0, await MemberFile.WriteAsync(bucket, "empty", Array.Empty<Member>()));
        Assert.Empty(await MemberFile.ReadAsync(bucket, "empty").ToListAsync());
    }

    [Fact]
    public async Task Read_FileWrittenByDuckDb_GivesItsRows()
    {
        var bucket = new LocalBucket(Folder.Path);
        Directory.CreateDirectory(Path.Combine(Folder.Path, "data"));
        var file = Path.Combine(Folder.Path, "data", "from_duckdb.parquet.gz");
        await using (var duck = new DuckDBConnection("Data Source=:memory:"))
        {
            await duck.OpenAsync();
            await using var command = duck.CreateCommand();
            command.CommandText = $"""
                COPY (
                    SELECT ['a' || i || '@example.com'] AS email,
                           CASE WHEN i % 2 = 0 THEN ['+1415555' || lpad(i::VARCHAR, 4, '0')] ELSE [] END AS phone_number,
                           ['9410' || (i % 10)] AS zip_code
                    FROM range(0, 2500) t(i)
                ) TO '{file}' (FORMAT PARQUET, COMPRESSION GZIP, ROW_GROUP_SIZE 1000)
                """;
            await command.ExecuteNonQueryAsync();
        }

        var members = await MemberFile.ReadAsync(bucket, "from_duckdb").ToListAsync();
        Assert.Equal(2500, members.Count);
        Assert.Equal(["a7@example.com"], members[7].Emails);
        Assert.Empty(members[7].Phones);
        Assert.Equal(["+14155550008"], members[8].Phones);
        Assert.Equal(["94103"], members[13].Zips);
    }
}

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
        await WriteWithDuckDbAsync("from_duckdb", """
            SELECT ['a' || i || '@example.com'] AS email,
                   CASE WHEN i % 2 = 0 THEN ['+1415555' || lpad(i::VARCHAR, 4, '0')] ELSE [] END AS phone_number,
                   ['9410' || (i % 10)] AS zip_code
            FROM range(0, 2500) t(i)
            """);

        var members = await MemberFile.ReadAsync(bucket, "from_duckdb").ToListAsync();
        Assert.Equal(2500, members.Count);
        Assert.Equal(["a7@example.com"], members[7].Emails);
        Assert.Empty(members[7].Phones);
        Assert.Equal(["+14155550008"], members[8].Phones);
        Assert.Equal(["94103"], members[13].Zips);
    }

    /// <summary>1,500 rows from DuckDB: null email lists, phone lists with null elements, no zip column.</summary>
    private const string NullListsQuery = """
        SELECT CASE WHEN i % 3 = 0 THEN NULL ELSE ['a' || i || '@example.com', 'b' || i || '@example.com'] END AS email,
               CASE WHEN i % 2 = 0 THEN [NULL, '+1415555' || lpad(i::VARCHAR, 4, '0'), NULL] ELSE [NULL] END AS phone_number
        FROM range(0, 1500) t(i)
        """;

    [Fact]
    public async Task Read_DuckDbNullListsNullElementsAndNoZipColumn_GivesEmptyListsWithoutNulls()
    {
        var bucket = new LocalBucket(Folder.Path);
        await WriteWithDuckDbAsync("nulls", NullListsQuery);

        var members = await MemberFile.ReadAsync(bucket, "nulls").ToListAsync();
        Assert.Equal(1500, members.Count);
        Assert.Empty(members[999].Emails);
        Assert.Equal(["a1000@example.com", "b1000@example.com"], members[1000].Emails);
        Assert.Equal(["+14155551000"], members[1000].Phones);
        Assert.Empty(members[1001].Phones);
        Assert.All(members, m => Assert.Empty(m.Zips));
    }

    [Fact]
    public async Task ReadBatchesAsync_DuckDbNullLists_PacksTheMembersReadAsyncGives()
    {
        var bucket = new LocalBucket(Folder.Path);
        await WriteWithDuckDbAsync("nulls", NullListsQuery);
        var members = await MemberFile.ReadAsync(bucket, "nulls").ToListAsync();
        var packed = new List<Member>();
        void Unpack(MemberBatch batch)
        {
            for (var i = 0; i < batch.Count; i++)
            {
                packed.Add(new Member(Values(batch, i, MemberField.Email), Values(batch, i, MemberField.Phone), Values(batch, i, MemberField.Zip)));
            }
        }

        var last = await MemberFile.Members(bucket, "nulls").ReadBatchesAsync(new MemberBatch(), 7, (batch, _) =>
        {
            Assert.Equal(7, batch.Count);
            Unpack(batch);
            batch.Clear();
            return ValueTask.FromResult(batch);
        }, CancellationToken.None);
        Unpack(last);

        Assert.Equal(members.Select(m => (m.Emails, m.Phones, m.Zips)), packed.Select(m => (m.Emails, m.Phones, m.Zips)), MemberComparer.Instance);
    }

    private static string[] Values(MemberBatch batch, int index, MemberField field) =>
        [.. Enumerable.Range(0, batch.ValueCount(index, field)).Select(v => batch.Value(index, field, v).ToString())];

    /// <summary>Compares members by their values.</summary>
    private sealed class MemberComparer : IEqualityComparer<(IReadOnlyList<string>, IReadOnlyList<string>, IReadOnlyList<string>)>
    {
        public static MemberComparer Instance { get; } = new();

        public bool Equals((IReadOnlyList<string>, IReadOnlyList<string>, IReadOnlyList<string>) x, (IReadOnlyList<string>, IReadOnlyList<string>, IReadOnlyList<string>) y) =>
            x.Item1.SequenceEqual(y.Item1) && x.Item2.SequenceEqual(y.Item2) && x.Item3.SequenceEqual(y.Item3);

        public int GetHashCode((IReadOnlyList<string>, IReadOnlyList<string>, IReadOnlyList<string>) obj) => obj.Item1.Count;
    }

    [Fact]
    public async Task Read_DuckDbPlainTextColumns_GivesOneValueLists()
    {
        var bucket = new LocalBucket(Folder.Path);
        await WriteWithDuckDbAsync("plain", """
            SELECT 'a' || i || '@example.com' AS email, CASE WHEN i % 2 = 0 THEN NULL ELSE '+14155550123' END AS phone_number, '94103' AS zip_code
            FROM range(0, 10) t(i)
            """);

        var members = await MemberFile.ReadAsync(bucket, "plain").ToListAsync();
        Assert.Equal(10, members.Count);
        Assert.Equal(["a3@example.com"], members[3].Emails);
        Assert.Equal(["+14155550123"], members[3].Phones);
        Assert.Equal(["94103"], members[3].Zips);
        Assert.Empty(members[4].Phones);
    }

    [Fact]
    public async Task Read_ColumnThatIsNotText_FailsNamingIt()
    {
        var bucket = new LocalBucket(Folder.Path);
        await WriteWithDuckDbAsync("numbers", "SELECT [i] AS email FROM range(0, 10) t(i)");

        var error = await Assert.ThrowsAsync<InvalidDataException>(async () => await MemberFile.ReadAsync(bucket, "numbers").ToListAsync());
        Assert.Contains("email", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Writes <c>data/&lt;name&gt;.parquet.gz</c> with DuckDB from a query, in row groups of 1,000.</summary>
    private async Task WriteWithDuckDbAsync(string name, string query)
    {
        Directory.CreateDirectory(Path.Combine(Folder.Path, "data"));
        var file = Path.Combine(Folder.Path, "data", $"{name}.parquet.gz");
        await using var duck = new DuckDBConnection("Data Source=:memory:");
        await duck.OpenAsync();
        await using var command = duck.CreateCommand();
        command.CommandText = $"COPY ({query}) TO '{file}' (FORMAT PARQUET, COMPRESSION GZIP, ROW_GROUP_SIZE 1000)";
        await command.ExecuteNonQueryAsync();
    }
}

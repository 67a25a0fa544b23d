using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text.Json.Serialization;
using Parquet;
using Parquet.Schema;
using Parquet.Serialization;

namespace Portal.Core.Audiences;

/// <summary>
/// An audience's member data: <c>data/&lt;name&gt;.parquet.gz</c>, Parquet with gzip-compressed pages and the seed's
/// three multi-value columns (<c>email</c>, <c>phone_number</c>, <c>zip_code</c>, each a list of text). Written and
/// read one row group at a time, so memory follows the row-group size, not the audience size.
/// </summary>
public static class MemberFile
{
    /// <summary>
    /// Rows a row group holds. Parquet.Net writes a column chunk as one page, and reads a gzip page through a buffer that
    /// grows to the page's compressed size: past 85,000 bytes on the large-object heap, where it waits for a full
    /// collection. At 10,000 members a page of emails or phones stays well below that (about 20 KB in the sync
    /// benchmark); at 50,000 it did not, and a 10M-member sync's memory stood 50 MiB higher.
    /// </summary>
    public const int RowGroupSize = 10_000;

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

    /// <summary>
    /// Streams the members back, one row group's columns in memory at a time. Reads the three list columns with Parquet's
    /// column API and rebuilds each row's lists from the repetition and definition levels, so it reads files written
    /// elsewhere (DuckDB, Spark: <c>email.list.element</c>) as well as its own; a missing column or a null list is an
    /// empty list, and null elements of a list are left out.
    /// </summary>
    public static async IAsyncEnumerable<Member> ReadAsync(IBucket bucket, string audience, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var (columns, rows) in RowGroupsAsync(bucket, audience, cancellationToken))
        {
            for (var row = 0; row < rows; row++)
            {
                yield return new Member(columns[0].Row(row), columns[1].Row(row), columns[2].Row(row));
            }
        }
    }

    /// <summary>The members of an audience's file, to read as <see cref="Member"/>s or straight into <see cref="MemberBatch"/>es.</summary>
    public static MemberFileMembers Members(IBucket bucket, string audience, CancellationToken cancellationToken = default) => new(bucket, audience, cancellationToken);

    /// <summary>
    /// Reads the rows straight into <paramref name="batch"/> (no object per member), handing each batch of
    /// <paramref name="size"/> members over and filling the one <paramref name="handOver"/> gives back; returns the last,
    /// partly filled batch. The same rows as <see cref="ReadAsync"/>.
    /// </summary>
    public static async Task<MemberBatch> ReadBatchesAsync(IBucket bucket, string audience, MemberBatch batch, int size,
        Func<MemberBatch, CancellationToken, ValueTask<MemberBatch>> handOver, CancellationToken cancellationToken = default)
    {
        await foreach (var (columns, rows) in RowGroupsAsync(bucket, audience, cancellationToken))
        {
            for (var row = 0; row < rows; row++)
            {
                foreach (var column in columns)
                {
                    column.AddTo(batch, row);
                }

                if (batch.Count == size)
                {
                    batch = await handOver(batch, cancellationToken);
                }
            }
        }

        return batch;
    }

    /// <summary>The file's row groups one after another, each read into the three columns (kept from one group to the next).</summary>
    private static async IAsyncEnumerable<(ListColumn[] Columns, int Rows)> RowGroupsAsync(IBucket bucket, string audience,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var stream = await bucket.OpenReadAsync(AudienceCatalog.DataPath(audience), cancellationToken);
        await using var reader = await ParquetReader.CreateAsync(stream, cancellationToken: cancellationToken);
        var fields = reader.Schema.GetDataFields();
        ListColumn[] columns = [.. ColumnNames.Select(name => new ListColumn(fields.FirstOrDefault(f => f.Path.FirstPart == name)))];
        for (var g = 0; g < reader.RowGroupCount; g++)
        {
            var group = reader.OpenRowGroupReader(g);
            var rows = checked((int)group.RowCount);
            foreach (var column in columns)
            {
                await column.ReadAsync(group, rows, cancellationToken);
            }

            yield return (columns, rows);
        }
    }

    /// <summary>The seed's column names, in <see cref="Member"/>'s order.</summary>
    private static readonly string[] ColumnNames = ["email", "phone_number", "zip_code"];

    /// <summary>The member count from the file's footer, without reading its rows.</summary>
    public static async Task<long> CountAsync(IBucket bucket, string audience, CancellationToken cancellationToken = default)
    {
        await using var stream = await bucket.OpenReadAsync(AudienceCatalog.DataPath(audience), cancellationToken);
        await using var reader = await ParquetReader.CreateAsync(stream, cancellationToken: cancellationToken);
        return reader.Metadata?.NumRows ?? 0;
    }

    /// <summary>SHA-256 of the member file's bytes, lower-case hex: what an export is tied to (a resumed one needs the same file).</summary>
    public static async Task<string> HashAsync(IBucket bucket, string audience, CancellationToken cancellationToken = default)
    {
        await using var stream = await bucket.OpenReadAsync(AudienceCatalog.DataPath(audience), cancellationToken);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken));
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

    }

    /// <summary>
    /// One list-of-text column, read a row group at a time into arrays kept from one row group to the next: its values'
    /// characters one after another (Parquet.Net gives each value its own small array; copied out at once, those die young
    /// instead of living through the row group), where each value ends, and where each row's values start (from the levels:
    /// a repetition level of 0 starts a row, and only entries at the full definition level hold a value). A column the file
    /// lacks has empty lists.
    /// </summary>
    private sealed class ListColumn(DataField? field)
    {
        private ReadOnlyMemory<char>[] _values = [];
        private int[] _definitions = [];
        private int[] _repetitions = [];
        private char[] _text = [];
        private int[] _valueEnds = [];
        private int[] _rowStarts = [];

        public IReadOnlyList<string> Row(int row)
        {
            var (start, end) = (_rowStarts[row], _rowStarts[row + 1]);
            if (start == end)
            {
                return [];
            }

            var list = new string[end - start];
            for (var i = 0; i < list.Length; i++)
            {
                var v = start + i;
                var from = v == 0 ? 0 : _valueEnds[v - 1];
                list[i] = new string(_text, from, _valueEnds[v] - from);
            }

            return list;
        }

        /// <summary>Adds the row's values to <paramref name="batch"/> as the member's next field.</summary>
        public void AddTo(MemberBatch batch, int row)
        {
            var (start, end) = (_rowStarts[row], _rowStarts[row + 1]);
            batch.AddValues(_text, start == 0 ? 0 : _valueEnds[start - 1], _valueEnds.AsSpan(start, end - start));
        }

        public async Task ReadAsync(ParquetRowGroupReader group, int rows, CancellationToken cancellationToken)
        {
            Room(ref _rowStarts, rows + 1);
            if (field is null || group.GetMetadata(field)?.MetaData is not { } meta)
            {
                Array.Clear(_rowStarts, 0, rows + 1);
                return;
            }

            if (field.MaxRepetitionLevel > 1 || field.ClrType != typeof(ReadOnlyMemory<char>))
            {
                throw new InvalidDataException($"Column {field.Path} is not a list of text");
            }

            var entries = checked((int)meta.NumValues);
            Room(ref _values, entries);
            Room(ref _definitions, entries);
            Room(ref _repetitions, entries);
            // Level buffers only for the levels the field has: Parquet.Net checks any buffer it is given against the value count.
            var definitions = field.MaxDefinitionLevel > 0 ? _definitions.AsMemory(0, entries) : (Memory<int>?)null;
            var repetitions = field.MaxRepetitionLevel > 0 ? _repetitions.AsMemory(0, entries) : (Memory<int>?)null;
            await group.ReadRawAsync(field, _values.AsMemory(0, entries), definitions, repetitions, cancellationToken);
            try
            {
                var count = RowStarts(field, rows, entries);
                var length = 0;
                for (var v = 0; v < count; v++)
                {
                    length += _values[v].Length;
                }

                Room(ref _text, length);
                Room(ref _valueEnds, count);
                length = 0;
                for (var v = 0; v < count; v++)
                {
                    _values[v].Span.CopyTo(_text.AsSpan(length));
                    length += _values[v].Length;
                    _valueEnds[v] = length;
                }
            }
            finally
            {
                Array.Clear(_values, 0, entries);
            }
        }

        /// <summary>Where each row's values start, and after the last row how many values there are (which it returns).</summary>
        private int RowStarts(DataField field, int rows, int entries)
        {
            var row = -1;
            var value = 0;
            for (var i = 0; i < entries; i++)
            {
                if (field.MaxRepetitionLevel == 0 || _repetitions[i] == 0)
                {
                    if (++row == rows)
                    {
                        break;
                    }

                    _rowStarts[row] = value;
                }

                if (field.MaxDefinitionLevel == 0 || _definitions[i] == field.MaxDefinitionLevel)
                {
                    value++;
                }
            }

            if (row != rows - 1)
            {
                throw new InvalidDataException($"Column {field.Path} has {row + 1} rows in a row group of {rows}");
            }

            return _rowStarts[rows] = value;
        }

        private static void Room<T>(ref T[] array, int length)
        {
            if (array.Length < length)
            {
                array = new T[Math.Max(length, array.Length * 2)];
            }
        }
    }
}

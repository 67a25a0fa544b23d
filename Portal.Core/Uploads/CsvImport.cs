using System.Globalization;
using CsvHelper;
using CsvHelper.Configuration;
using Parquet;

namespace Portal.Core.Uploads;

/// <summary>What an import is doing, for a progress bar: rows and bytes read so far, out of the file's size when known.</summary>
public sealed record ImportProgress(string Stage, long RowsRead, long BytesRead, long? BytesTotal);

/// <summary>What reading a CSV file gave: rows in, kept and dropped by reason, missing values, and the file's size and SHA-256.</summary>
public sealed record CsvImportResult(long RowsIn, long RowsKept, long DroppedDuplicate, long DroppedMissing, long DroppedExistingKey,
    long MissingValues, long Cells, long Bytes, string Checksum);

/// <summary>
/// Reads one CSV file into one Parquet file, streaming: the file's bytes are checked as UTF-8 and hashed as they pass,
/// CsvHelper's parser gives the fields, and rows go into a batch of typed columns that is written as a Parquet row
/// group when full, so memory follows the batch size and not the file's. Checks, in order: the file is not empty; the
/// header names every declared column once (any order, any case) and no other; every row has as many values as the
/// header; every value parses as its column's type (invariant culture). Any of these stops the import with the line
/// (1 is the header) and column (counted from 1 in the file). Then rows are dropped and counted: a row equal to an
/// earlier one (by a 128-bit hash of its values), a row without a value in a required column, and a row whose key is
/// already stored (in the partition's files, or in the table the dataset loads) or was kept earlier in this file.
/// A transaction whose user is not in <c>users</c> stops the import.
/// </summary>
internal sealed class CsvImport
{
    /// <summary>The longest value read (characters): a quote left open would otherwise swallow the rest of the file.</summary>
    public const int MaxFieldChars = 1 << 20;

    private static readonly CsvConfiguration Config = new(CultureInfo.InvariantCulture)
    {
        Delimiter = ",",
        DetectDelimiter = false,
        Mode = CsvMode.RFC4180,
        IgnoreBlankLines = true,
        HasHeaderRecord = false,
        MaxFieldSize = MaxFieldChars,
        ExceptionMessagesContainRawData = false,
    };

    private static readonly ParquetOptions ParquetOptions = new() { CompressionMethod = CompressionMethod.Snappy };

    private readonly DatasetSchema _schema;
    private readonly ColumnBuffer[] _columns;
    private readonly int[] _keyColumns;
    private readonly bool[] _required;
    private readonly HashSet<UInt128> _rowHashes = [];
    private readonly HashSet<UInt128> _keyHashes;
    private readonly TableLookup? _lookup;
    private readonly long[] _lines;
    private readonly bool[] _keep;
    private readonly long[] _keyValues;
    private readonly Dictionary<string, long[]> _references = new(StringComparer.Ordinal);
    private byte[] _scratch = new byte[256];
    private int[] _fileColumnOf = [];
    private int _count;
    private long _rowsIn, _rowsKept, _duplicates, _missing, _existing, _missingValues;

    private CsvImport(DatasetSchema schema, HashSet<UInt128> storedKeys, TableLookup? lookup, int batchSize)
    {
        _schema = schema;
        _columns = [.. schema.Columns.Select(c => ColumnBuffer.For(c, batchSize))];
        _keyColumns = [.. schema.Columns.Select((c, i) => (c, i)).Where(x => x.c.Key).Select(x => x.i)];
        _required = [.. schema.Columns.Select(c => c.Required)];
        _keyHashes = storedKeys;
        _lookup = schema.Table is null ? null : lookup;
        _lines = new long[batchSize];
        _keep = new bool[batchSize];
        _keyValues = new long[batchSize];
    }

    /// <summary>
    /// Reads <paramref name="source"/> (CSV) and writes the rows kept to <paramref name="parquet"/>, a row group per
    /// <paramref name="batchSize"/> rows. <paramref name="storedKeys"/> holds the hashes of the keys already stored in
    /// the partition (see <see cref="DatasetFiles.KeyHash"/>); the keys kept are added to it.
    /// </summary>
    /// <exception cref="ImportRejectedException">The file breaks a check; nothing it wrote should be kept.</exception>
    public static Task<CsvImportResult> RunAsync(DatasetSchema schema, Stream source, long? length, Stream parquet, HashSet<UInt128> storedKeys,
        TableLookup? lookup, int batchSize, Func<ImportProgress, CancellationToken, Task>? progress, CancellationToken cancellationToken) =>
        new CsvImport(schema, storedKeys, lookup, batchSize).RunAsync(source, length, parquet, progress, cancellationToken);

    private async Task<CsvImportResult> RunAsync(Stream source, long? length, Stream parquet, Func<ImportProgress, CancellationToken, Task>? progress,
        CancellationToken cancellationToken)
    {
        await using var bytes = new CheckedUtf8Stream(source);
        using var text = new StreamReader(bytes, CheckedUtf8Stream.Encoding, detectEncodingFromByteOrderMarks: false, bufferSize: 1 << 16, leaveOpen: true);
        using var parser = new CsvParser(text, Config, leaveOpen: true);
        try
        {
            if (!await parser.ReadAsync())
            {
                throw new ImportRejectedException("The file is empty: it needs a header line and at least one row.", ImportRejection.Empty);
            }

            ReadHeader(parser);
            await using (var writer = await ParquetWriter.CreateAsync(ColumnBuffer.SchemaOf(_columns), parquet, ParquetOptions, cancellationToken: cancellationToken))
            {
                while (await parser.ReadAsync())
                {
                    _rowsIn++;
                    ReadRow(parser);
                    if (_count == _lines.Length)
                    {
                        await FlushAsync(writer, cancellationToken);
                    }

                    if ((_rowsIn & 0x3FFF) == 0)
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        if (progress is not null)
                        {
                            await progress(new ImportProgress("Reading", _rowsIn, bytes.BytesRead, length), cancellationToken);
                        }
                    }
                }

                await FlushAsync(writer, cancellationToken);
            }

            if (_rowsIn == 0)
            {
                throw new ImportRejectedException("The file has a header but no rows.", ImportRejection.NoRows, 1);
            }
        }
        catch (CsvHelperException ex)
        {
            throw Rejection(ex, parser);
        }

        await bytes.ReadToEndAsync(cancellationToken);
        foreach (var column in _columns.OfType<StringColumn>())
        {
            column.Clear();
        }

        if (progress is not null)
        {
            await progress(new ImportProgress("Read", _rowsIn, bytes.BytesRead, length), cancellationToken);
        }

        return new CsvImportResult(_rowsIn, _rowsKept, _duplicates, _missing, _existing, _missingValues, _rowsIn * _columns.Length, bytes.BytesRead, bytes.Checksum);
    }

    private void ReadHeader(CsvParser parser)
    {
        var names = new string[parser.Count];
        for (var i = 0; i < names.Length; i++)
        {
            names[i] = parser[i].Trim().TrimStart('\uFEFF').Trim();
        }

        var problems = new List<string>();
        var missing = _schema.Columns.Where(c => !names.Contains(c.Name, StringComparer.OrdinalIgnoreCase)).Select(c => $"\"{c.Name}\"").ToList();
        if (missing.Count > 0)
        {
            problems.Add($"missing {Plural(missing.Count, "column")} {string.Join(", ", missing)}");
        }

        var unknown = names.Where(n => _schema.IndexOf(n) < 0).Select(n => n.Length == 0 ? "(an empty name)" : $"\"{n}\"").ToList();
        if (unknown.Count > 0)
        {
            problems.Add($"unknown {Plural(unknown.Count, "column")} {string.Join(", ", unknown)}");
        }

        var twice = names.Where(n => n.Length > 0).GroupBy(n => n, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1).Select(g => $"\"{g.Key}\"").ToList();
        if (twice.Count > 0)
        {
            problems.Add($"{string.Join(", ", twice)} more than once");
        }

        if (problems.Count > 0)
        {
            throw new ImportRejectedException(
                $"line 1 (header): {string.Join("; ", problems)}. The header of {_schema.Name} names {string.Join(", ", _schema.Columns.Select(c => c.Name))} (in any order).",
                ImportRejection.Header, 1, missing.Count > 0 ? _schema.Columns.First(c => !names.Contains(c.Name, StringComparer.OrdinalIgnoreCase)).Name : null);
        }

        _fileColumnOf = new int[_columns.Length];
        var schemaIndexOf = new int[names.Length];
        for (var f = 0; f < names.Length; f++)
        {
            schemaIndexOf[f] = _schema.IndexOf(names[f]);
            _fileColumnOf[schemaIndexOf[f]] = f;
        }
    }

    private void ReadRow(CsvParser parser)
    {
        var line = parser.RawRow;
        if (parser.Count != _columns.Length)
        {
            throw new ImportRejectedException(
                string.Create(CultureInfo.InvariantCulture, $"line {line}: {parser.Count} {(parser.Count == 1 ? "value" : "values")}, but the header has {_columns.Length} columns."),
                ImportRejection.FieldCount, line);
        }

        var row = _count;
        var anyRequiredMissing = false;
        for (var c = 0; c < _columns.Length; c++)
        {
            var f = _fileColumnOf[c];
            var value = parser[f];
            var column = _columns[c];
            if (column.Parse(row, value) is { } why)
            {
                throw new ImportRejectedException(
                    string.Create(CultureInfo.InvariantCulture, $"line {line}, column {f + 1} (\"{column.Column.Name}\"): '{Shown(value)}' {why}"),
                    ImportRejection.Type, line, column.Column.Name);
            }

            if (column.IsNull(row))
            {
                _missingValues++;
                anyRequiredMissing |= _required[c];
            }
        }

        var bytes = new CanonicalBytes(_scratch);
        foreach (var column in _columns)
        {
            column.AppendCanonical(row, ref bytes);
        }

        var rowHash = bytes.Hash();
        _scratch = bytes.Buffer;
        if (!_rowHashes.Add(rowHash))
        {
            _duplicates++;
            return;
        }

        if (anyRequiredMissing)
        {
            _missing++;
            return;
        }

        if (!_keyHashes.Add(KeyHash(row)))
        {
            _existing++;
            return;
        }

        _lines[row] = line;
        _count++;
    }

    private UInt128 KeyHash(int row)
    {
        var bytes = new CanonicalBytes(_scratch);
        foreach (var k in _keyColumns)
        {
            _columns[k].AppendCanonical(row, ref bytes);
        }

        _scratch = bytes.Buffer;
        return bytes.Hash();
    }

    /// <summary>Checks the batch against the database (keys already in the table, users referenced), then writes what is kept as a row group.</summary>
    private async Task FlushAsync(ParquetWriter writer, CancellationToken cancellationToken)
    {
        if (_count == 0)
        {
            return;
        }

        Array.Fill(_keep, true, 0, _count);
        if (_lookup is not null && _keyColumns is [var key] && _columns[key] is Int64Column keys)
        {
            for (var i = 0; i < _count; i++)
            {
                _keyValues[i] = keys.Int64(i);
            }

            var stored = await _lookup.ExistingAsync(_schema.Table!, _keyValues.AsMemory(0, _count), cancellationToken);
            for (var i = 0; i < _count && stored.Count > 0; i++)
            {
                if (stored.Contains(_keyValues[i]))
                {
                    _keep[i] = false;
                    _existing++;
                }
            }
        }

        for (var c = 0; c < _columns.Length; c++)
        {
            if (_columns[c].Column.References is not { } table || _lookup is null)
            {
                continue;
            }

            if (!_references.TryGetValue(table, out var known))
            {
                _references[table] = known = await _lookup.AllKeysAsync(table, cancellationToken);
            }

            for (var i = 0; i < _count; i++)
            {
                if (_keep[i] && !_columns[c].IsNull(i) && Array.BinarySearch(known, _columns[c].Int64(i)) < 0)
                {
                    throw new ImportRejectedException(
                        string.Create(CultureInfo.InvariantCulture,
                            $"line {_lines[i]}, column {_fileColumnOf[c] + 1} (\"{_columns[c].Column.Name}\"): {_columns[c].Int64(i)} is not in {table}; import the {table} first."),
                        ImportRejection.Reference, _lines[i], _columns[c].Column.Name);
                }
            }
        }

        var kept = 0;
        for (var i = 0; i < _count; i++)
        {
            if (!_keep[i])
            {
                continue;
            }

            if (i != kept)
            {
                foreach (var column in _columns)
                {
                    column.Move(i, kept);
                }

                _lines[kept] = _lines[i];
            }

            kept++;
        }

        if (kept > 0)
        {
            using var group = writer.CreateRowGroup();
            foreach (var column in _columns)
            {
                await column.WriteAsync(group, kept, cancellationToken);
            }
        }

        _rowsKept += kept;
        _count = 0;
    }

    private static ImportRejectedException Rejection(CsvHelperException ex, CsvParser parser)
    {
        for (Exception? e = ex; e is not null; e = e.InnerException)
        {
            if (e is ImportRejectedException rejected)
            {
                return rejected;
            }
        }

        var line = parser.RawRow;
        var what = ex is MaxFieldSizeException
            ? $"a value is longer than {MaxFieldChars:N0} characters (is a quote left open?)"
            : ex is BadDataException
                ? "a quote inside a value that is not quoted as a whole (quote the value and double the quotes in it)"
                : "the line cannot be read as CSV";
        return new ImportRejectedException(string.Create(CultureInfo.InvariantCulture, $"line {line}: {what}."), ImportRejection.BadCsv, line);
    }

    private static string Shown(string value) => value.Length <= 40 ? value : value[..40] + "…";

    private static string Plural(int count, string word) => count == 1 ? word : word + "s";
}

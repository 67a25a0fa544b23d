using System.Globalization;
using System.Runtime.InteropServices;
using System.Threading.Channels;
using Parquet;
using Sylvan.Data.Csv;

namespace Portal.Core.Uploads;

/// <summary>What an import is doing, for a progress bar: rows and bytes read so far, out of the file's size when known.</summary>
public sealed record ImportProgress(string Stage, long RowsRead, long BytesRead, long? BytesTotal);

/// <summary>
/// What reading a CSV file gave: rows in, kept and dropped by reason, missing values, the file's size and SHA-256, and
/// by table referred to (users), the keys the rows kept refer to (sorted), for a last check in the commit's transaction.
/// </summary>
public sealed record CsvImportResult(long RowsIn, long RowsKept, long DroppedDuplicate, long DroppedMissing, long DroppedExistingKey,
    long MissingValues, long Cells, long Bytes, string Checksum)
{
    public IReadOnlyDictionary<string, long[]> ReferencedKeys { get; init; } = new Dictionary<string, long[]>();
}

/// <summary>
/// Reads one CSV file into one Parquet file, streaming: the file's bytes are checked as UTF-8 and hashed as they pass,
/// Sylvan's CSV reader gives each field as characters in its buffer (a value becomes a string only in a text column,
/// and a repeated one is shared), and rows go into a batch of typed columns that is written as a Parquet row
/// group when full, so memory follows the batch size and not the file's. Checks, in order: the file is not empty; the
/// header names every declared column once (any order, any case) and no other; every row has as many values as the
/// header; every value parses as its column's type (invariant culture). Any of these stops the import with the line
/// (1 is the header) and column (counted from 1 in the file). Then rows are dropped and counted: a row equal to an
/// earlier one (by a 128-bit hash of its values), a row without a value in a required column, and a row whose key is
/// already stored (in the partition's files, or in the table the dataset loads) or was kept earlier in this file.
/// A transaction whose user is not in <c>users</c> stops the import.
/// <para>
/// Two stages on two threads: the reader parses, checks and de-duplicates rows into one batch while the writer checks
/// the previous batch against the database and writes it as a row group. Two batches exist in all, handed over through
/// a channel of one; the first failure of either stage stops both, and the writer's wins (its rows come earlier in the
/// file, as they would if the stages ran one after the other).
/// </para>
/// <para>
/// What the de-duplication remembers of the rows read: for a dataset loaded into a SQLite table, each key with its row's
/// hash, in the import's <see cref="SqliteTableStage"/> on disk, found through a <see cref="KeyFilter"/> of fixed size, so memory
/// stays at two batches and the filter whatever the file's length; the reader settles a new key, the writer (in file
/// order) a key that may have been seen. Otherwise a map in memory (<see cref="KeyedRows"/>, about 28–56 bytes a key; on
/// SQL Server) or sets of hashes (the partitioned datasets, 16 bytes a row or key, bounded by the partition).
/// </para>
/// </summary>
internal sealed class CsvImport
{
    /// <summary>The longest line read (characters): a quote left open would otherwise swallow the rest of the file.</summary>
    public const int MaxLineChars = 1 << 21;

    private static readonly CsvDataReaderOptions Options = new()
    {
        HasHeaders = false,
        Delimiter = ',',
        Quote = '"',
        Escape = '"',
        CsvStyle = CsvStyle.Standard,
        BufferSize = 1 << 16,
        MaxBufferSize = MaxLineChars,
        OwnsReader = false,
        Culture = CultureInfo.InvariantCulture,
    };

    private static readonly ParquetOptions ParquetOptions = new() { CompressionMethod = CompressionMethod.Snappy };

    private readonly DatasetSchema _schema;
    private readonly int[] _keyColumns;
    private readonly bool[] _required;
    private readonly HashSet<UInt128> _rowHashes = [];
    private readonly HashSet<UInt128> _keyHashes;
    private readonly KeyedRows? _keyedRows;
    private readonly KeyFilter? _keyFilter;
    private readonly HashSet<(long Key, long Hash)> _moreHashes = [];
    private readonly TableLookup? _lookup;
    private readonly SqliteTableStage? _stage;
    private readonly bool[] _keep;
    private readonly long[] _keyValues;
    private readonly Dictionary<string, ReferencedKeys> _references = new(StringComparer.Ordinal);
    private readonly Batch[] _batches;
    private Batch _batch;
    private byte[] _scratch = new byte[256];
    private int[] _fileColumnOf = [];
    private long _line, _nextLine = 1;
    private long _rowsIn, _rowsKept, _duplicates, _missing, _existing, _existingInTable, _missingValues;

    private CsvImport(DatasetSchema schema, HashSet<UInt128> storedKeys, TableLookup? lookup, SqliteTableStage? stage, int batchSize, int keyFilterBits)
    {
        _schema = schema;
        _stage = stage;
        _batches = [new Batch(schema, batchSize), new Batch(schema, batchSize)];
        _batch = _batches[0];
        _keyColumns = [.. schema.Columns.Select((c, i) => (c, i)).Where(x => x.c.Key).Select(x => x.i)];
        _required = [.. schema.Columns.Select(c => c.Required)];
        _keyHashes = storedKeys;
        _lookup = schema.Table is null ? null : lookup;
        _keep = new bool[batchSize];
        _keyValues = new long[batchSize];
        if (schema.Table is not null && storedKeys.Count == 0 && _keyColumns is [var key]
            && schema.Columns[key] is { Type: ColumnType.Int64, Required: true })
        {
            // With a stage the rows seen so far are on disk, found through a filter of fixed size; without one, in memory.
            if (stage is null)
            {
                _keyedRows = new KeyedRows();
            }
            else
            {
                _keyFilter = new KeyFilter(keyFilterBits);
            }
        }
        else if (stage is not null)
        {
            throw new ArgumentException($"{schema.Name} is not keyed by one required Int64: it cannot be staged.", nameof(stage));
        }
    }

    private ColumnBuffer[] Columns => _batch.Columns;

    /// <summary>
    /// Reads <paramref name="source"/> (CSV) and writes the rows kept to <paramref name="parquet"/>, a row group per
    /// <paramref name="batchSize"/> rows. <paramref name="storedKeys"/> holds the hashes of the keys already stored in
    /// the partition (see <see cref="DatasetFiles.KeyHash"/>); the keys kept are added to it. With a
    /// <paramref name="stage"/> (a dataset loaded into a SQLite table) the rows are de-duplicated against it and the
    /// rows kept staged in it, batch by batch.
    /// </summary>
    /// <exception cref="ImportRejectedException">The file breaks a check; nothing it wrote should be kept.</exception>
    public static Task<CsvImportResult> RunAsync(DatasetSchema schema, Stream source, long? length, Stream parquet, HashSet<UInt128> storedKeys,
        TableLookup? lookup, SqliteTableStage? stage, int batchSize, Func<ImportProgress, CancellationToken, Task>? progress, CancellationToken cancellationToken,
        int keyFilterBits = KeyFilter.DefaultBits) =>
        new CsvImport(schema, storedKeys, lookup, stage, batchSize, keyFilterBits).RunAsync(source, length, parquet, progress, cancellationToken);

    private async Task<CsvImportResult> RunAsync(Stream source, long? length, Stream parquet, Func<ImportProgress, CancellationToken, Task>? progress,
        CancellationToken cancellationToken)
    {
        await using var bytes = new CheckedUtf8Stream(source);
        using var text = new StreamReader(bytes, CheckedUtf8Stream.Encoding, detectEncodingFromByteOrderMarks: false, bufferSize: 1 << 16, leaveOpen: true);
        using var reader = CsvDataReader.Create(text, Options);
        try
        {
            if (!NextRecord(reader))
            {
                throw new ImportRejectedException("The file is empty: it needs a header line and at least one row.", ImportRejection.Empty);
            }

            ReadHeader(reader);
            await using (var writer = await ParquetWriter.CreateAsync(ColumnBuffer.SchemaOf(Columns), parquet, ParquetOptions, cancellationToken: cancellationToken))
            {
                await PipelineAsync(reader, writer, bytes, length, progress, cancellationToken);
            }

            if (_rowsIn == 0)
            {
                throw new ImportRejectedException("The file has a header but no rows.", ImportRejection.NoRows, 1);
            }
        }
        catch (CsvRecordTooLargeException)
        {
            throw BadCsv(_nextLine, $"a line is longer than {MaxLineChars:N0} characters (is a quote left open?)");
        }
        catch (CsvFormatException)
        {
            throw BadCsv(_nextLine, "a quoted value does not end properly: it needs a closing quote, then a comma or the end of the line (is a quote left open?)");
        }

        await bytes.ReadToEndAsync(cancellationToken);
        foreach (var column in _batches.SelectMany(b => b.Columns).OfType<StringColumn>())
        {
            column.Clear();
        }

        if (progress is not null)
        {
            await progress(new ImportProgress("Read", _rowsIn, bytes.BytesRead, length), cancellationToken);
        }

        return new CsvImportResult(_rowsIn, _rowsKept, _duplicates, _missing, _existing + _existingInTable, _missingValues, _rowsIn * Columns.Length,
            bytes.BytesRead, bytes.Checksum)
        {
            ReferencedKeys = _references.ToDictionary(r => r.Key, r => r.Value.Used(), StringComparer.Ordinal),
        };
    }

    /// <summary>
    /// The reader (this thread) fills a batch and hands it to the writer (a task), which gives it back once written;
    /// the reader meanwhile fills the other one. A failure in either stops both; the writer's is thrown first.
    /// </summary>
    private async Task PipelineAsync(CsvDataReader reader, ParquetWriter writer, CheckedUtf8Stream bytes, long? length,
        Func<ImportProgress, CancellationToken, Task>? progress, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var full = Channel.CreateBounded<Batch>(new BoundedChannelOptions(1) { SingleReader = true, SingleWriter = true });
        var free = Channel.CreateBounded<Batch>(new BoundedChannelOptions(_batches.Length) { SingleReader = true, SingleWriter = true });
        for (var b = 1; b < _batches.Length; b++)
        {
            free.Writer.TryWrite(_batches[b]);
        }

        var writing = Task.Run(async () =>
        {
            try
            {
                await foreach (var batch in full.Reader.ReadAllAsync(stop.Token))
                {
                    await FlushAsync(batch, writer, stop.Token);
                    free.Writer.TryWrite(batch);
                }
            }
            catch
            {
                await stop.CancelAsync();
                throw;
            }
        }, CancellationToken.None);

        try
        {
            while (NextRecord(reader))
            {
                _rowsIn++;
                ReadRow(reader);
                if (_batch.Count == _batch.Lines.Length)
                {
                    await full.Writer.WriteAsync(_batch, stop.Token);
                    _batch = await free.Reader.ReadAsync(stop.Token);
                }

                if ((_rowsIn & 0x3FFF) == 0)
                {
                    stop.Token.ThrowIfCancellationRequested();
                    if (progress is not null)
                    {
                        await progress(new ImportProgress("Reading", _rowsIn, bytes.BytesRead, length), cancellationToken);
                    }
                }
            }

            if (_batch.Count > 0)
            {
                await full.Writer.WriteAsync(_batch, stop.Token);
            }

            full.Writer.TryComplete();
        }
        catch (Exception)
        {
            // The writer's failure (rows earlier in the file) wins over the reader's, and the reader's over the stop it caused.
            full.Writer.TryComplete();
            await stop.CancelAsync();
            try
            {
                await writing;
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // stopped because the reader failed: the reader's failure is the one to report
            }

            throw;
        }

        await writing;
    }

    /// <summary>
    /// Reads the next record that is not a blank line, and notes the line it starts on (<see cref="_line"/>) and the
    /// line after it: a quoted value may hold line breaks, so lines are counted in the record's own characters.
    /// </summary>
    private bool NextRecord(CsvDataReader reader)
    {
        while (reader.Read())
        {
            var raw = reader.GetRawRecordSpan();
            _line = _nextLine;
            if (raw.TrimEnd("\r\n").IsEmpty)
            {
                _nextLine += raw.Count('\n');
                continue;
            }

            // One pass for the common record: no quote, and its only line break at its end.
            var at = raw.IndexOfAny('"', '\n');
            if (at < 0 || (at == raw.Length - 1 && raw[at] == '\n'))
            {
                _nextLine += at < 0 ? 0 : 1;
                return true;
            }

            _nextLine += raw.Count('\n');
            if (raw.Contains('"'))
            {
                CheckQuotes(raw);
            }

            return true;
        }

        return false;
    }

    /// <summary>
    /// A quote is allowed only around a whole value (RFC 4180), with quotes inside it doubled; Sylvan reads a quote
    /// inside an unquoted value as a character, which would keep a value the writer of the file did not mean.
    /// </summary>
    private void CheckQuotes(ReadOnlySpan<char> raw)
    {
        var field = 1;
        var i = 0;
        while (i < raw.Length)
        {
            if (raw[i] == '"')
            {
                // quoted: to the closing quote (a doubled quote is one quote inside the value); Sylvan checked what follows it
                i++;
                while (i < raw.Length && !(raw[i] == '"' && (i + 1 == raw.Length || raw[i + 1] != '"')))
                {
                    i += raw[i] == '"' ? 2 : 1;
                }

                i++;
            }
            else
            {
                while (i < raw.Length && raw[i] is not (',' or '\r' or '\n'))
                {
                    if (raw[i] == '"')
                    {
                        throw BadCsv(_line, string.Create(CultureInfo.InvariantCulture,
                            $"column {field} has a quote inside a value that is not quoted as a whole (quote the value and double the quotes in it)"));
                    }

                    i++;
                }
            }

            if (i < raw.Length && raw[i] == ',')
            {
                field++;
                i++;
            }
            else
            {
                return;
            }
        }
    }

    private void ReadHeader(CsvDataReader reader)
    {
        var names = new string[reader.RowFieldCount];
        for (var i = 0; i < names.Length; i++)
        {
            names[i] = reader.GetFieldSpan(i).Trim().TrimStart('\uFEFF').Trim().ToString();
        }

        var problems = new List<string>();
        var missing = _schema.Columns.Where(c => !names.Contains(c.Name, StringComparer.OrdinalIgnoreCase)).Select(c => $"\"{c.Name}\"").ToList();
        if (missing.Count > 0)
        {
            problems.Add($"missing {Plural(missing.Count, "column")} {string.Join(", ", missing)}");
        }

        // A first line that names none of the columns is most likely a row of data (the header left out), and its
        // values may be personal data: they are not repeated. Otherwise an unknown name is shown if it looks like one.
        var headerMissing = names.All(n => _schema.IndexOf(n) < 0);
        var unknown = names.Where(n => _schema.IndexOf(n) < 0).Select(n => HeaderName(n, headerMissing)).ToList();
        if (headerMissing)
        {
            problems.Add("it names none of the columns, so it may be a row of data (is the header line missing?); its values are not shown");
        }
        else if (unknown.Count > 0)
        {
            problems.Add($"unknown {Plural(unknown.Count, "column")} {string.Join(", ", unknown)}");
        }

        var twice = names.Where(n => n.Length > 0).GroupBy(n => n, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1)
            .Select(g => HeaderName(g.Key, headerMissing)).ToList();
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

        _fileColumnOf = new int[Columns.Length];
        var schemaIndexOf = new int[names.Length];
        for (var f = 0; f < names.Length; f++)
        {
            schemaIndexOf[f] = _schema.IndexOf(names[f]);
            _fileColumnOf[schemaIndexOf[f]] = f;
        }
    }

    private void ReadRow(CsvDataReader reader)
    {
        var line = _line;
        var columns = Columns;
        var fields = reader.RowFieldCount;
        if (fields != columns.Length)
        {
            throw new ImportRejectedException(
                string.Create(CultureInfo.InvariantCulture, $"line {line}: {fields} {(fields == 1 ? "value" : "values")}, but the header has {columns.Length} columns."),
                ImportRejection.FieldCount, line);
        }

        var row = _batch.Count;
        var anyRequiredMissing = false;
        for (var c = 0; c < columns.Length; c++)
        {
            var f = _fileColumnOf[c];
            var value = reader.GetFieldSpan(f);
            var column = columns[c];
            if (column.Parse(row, value) is { } why)
            {
                // A value of personal data stays out of the message (it is stored with the import and shown to people).
                var what = column.Column.Pii ? "the value (not shown: personal data)" : $"'{Shown(value)}'";
                throw new ImportRejectedException(
                    string.Create(CultureInfo.InvariantCulture, $"line {line}, column {f + 1} (\"{column.Column.Name}\"): {what} {why}"),
                    ImportRejection.Type, line, column.Column.Name);
            }

            if (column.IsNull(row))
            {
                _missingValues++;
                anyRequiredMissing |= _required[c];
            }
        }

        var bytes = new CanonicalBytes(_scratch);
        foreach (var column in columns)
        {
            column.AppendCanonical(row, ref bytes);
        }

        var rowHash = bytes.Hash();
        _scratch = bytes.Buffer;
        bool kept;
        if (_keyFilter is not null && !columns[_keyColumns[0]].IsNull(row))
        {
            // Decided by the writer against the stage, in file order; only a new key without missing values is certain here.
            var repeat = _keyFilter.TestAndAdd(columns[_keyColumns[0]].Int64(row));
            _batch.States[row] = repeat
                ? anyRequiredMissing ? RowState.RepeatMissing : RowState.Repeat
                : anyRequiredMissing ? RowState.NewMissing : RowState.New;
            _batch.Hashes[row] = (long)(ulong)rowHash;
            if (!repeat && anyRequiredMissing)
            {
                _missing++;
            }

            kept = true;
        }
        else
        {
            kept = _keyedRows is { } keyed && !columns[_keyColumns[0]].IsNull(row)
                ? Keyed(keyed, columns[_keyColumns[0]].Int64(row), rowHash, anyRequiredMissing)
                : Hashed(row, rowHash, anyRequiredMissing);
            _batch.States[row] = RowState.New;
        }

        if (kept)
        {
            _batch.Lines[row] = line;
            _batch.Count++;
        }
    }

    /// <summary>Any dataset: a set of row hashes (128 bits), then a set of key hashes. Whether the row is kept.</summary>
    private bool Hashed(int row, UInt128 rowHash, bool anyRequiredMissing)
    {
        if (!_rowHashes.Add(rowHash))
        {
            _duplicates++;
            return false;
        }

        if (anyRequiredMissing)
        {
            _missing++;
            return false;
        }

        if (!_keyHashes.Add(KeyHash(row)))
        {
            _existing++;
            return false;
        }

        return true;
    }

    /// <summary>A dataset keyed by one required Int64 (those loaded into a table): one map from the key to its rows' hashes. The same outcome as <see cref="Hashed"/>.</summary>
    private bool Keyed(KeyedRows keyed, long key, UInt128 rowHash, bool anyRequiredMissing)
    {
        ref var entry = ref keyed.Entry(key, rowHash, out var duplicate);
        if (duplicate)
        {
            _duplicates++;
            return false;
        }

        if (anyRequiredMissing)
        {
            _missing++;
            return false;
        }

        if (!KeyedRows.TakeKey(ref entry))
        {
            _existing++;
            return false;
        }

        return true;
    }

    private UInt128 KeyHash(int row)
    {
        var bytes = new CanonicalBytes(_scratch);
        foreach (var k in _keyColumns)
        {
            Columns[k].AppendCanonical(row, ref bytes);
        }

        _scratch = bytes.Buffer;
        return bytes.Hash();
    }

    /// <summary>
    /// The writer's half of de-duplication with a stage, in file order: a row with a new key is staged (kept, or only
    /// noted when a value is missing or the table has the key); a row whose key may have been seen is settled against the
    /// staged row with that key, as <see cref="Keyed"/> settles it in memory: the same row is a duplicate, a row with a
    /// missing value is dropped, a key already taken drops the row, and a key only noted is taken by this row.
    /// </summary>
    private void Stage(Batch batch, Int64Column keys, HashSet<long> inTable)
    {
        var stage = _stage!;
        stage.Begin();
        for (var i = 0; i < batch.Count; i++)
        {
            var key = keys.Int64(i);
            var hash = batch.Hashes[i];
            var state = batch.States[i];
            if (state is RowState.Repeat or RowState.RepeatMissing)
            {
                var (found, first, taken) = stage.Find(key);
                if (found)
                {
                    _keep[i] = false;
                    if (first == hash || !_moreHashes.Add((key, hash)))
                    {
                        _duplicates++;
                    }
                    else if (state == RowState.RepeatMissing)
                    {
                        _missing++;
                    }
                    else if (taken != StageState.Seen)
                    {
                        _existing++;
                    }
                    else if (inTable.Contains(key))
                    {
                        stage.Replace(key, first, StageState.Stored);
                        _existingInTable++;
                    }
                    else
                    {
                        stage.Replace(key, first, StageState.Kept);
                        _keep[i] = true;
                    }

                    continue;
                }

                // the filter's rare false "maybe": a new key after all
                if (state == RowState.RepeatMissing)
                {
                    _missing++;
                }

                state = state == RowState.RepeatMissing ? RowState.NewMissing : RowState.New;
            }

            if (state == RowState.NewMissing)
            {
                stage.Add(key, hash, StageState.Seen);
                _keep[i] = false;
            }
            else if (inTable.Contains(key))
            {
                stage.Add(key, hash, StageState.Stored);
                _keep[i] = false;
                _existingInTable++;
            }
            else
            {
                stage.Add(key, hash, StageState.Kept);
            }
        }

        stage.Commit();
    }

    /// <summary>Checks the batch against the database (keys already in the table, users referenced), then writes what is kept as a row group. The writer's stage.</summary>
    private async Task FlushAsync(Batch batch, ParquetWriter writer, CancellationToken cancellationToken)
    {
        var count = batch.Count;
        var columns = batch.Columns;
        if (count == 0)
        {
            return;
        }

        Array.Fill(_keep, true, 0, count);
        if (_lookup is not null && _keyColumns is [var key] && columns[key] is Int64Column keys)
        {
            var candidates = 0;
            for (var i = 0; i < count; i++)
            {
                if (batch.States[i] is RowState.New or RowState.Repeat)
                {
                    _keyValues[candidates++] = keys.Int64(i);
                }
            }

            var stored = await _lookup.ExistingAsync(_schema.Table!, _keyValues.AsMemory(0, candidates), cancellationToken);
            if (_stage is not null)
            {
                Stage(batch, keys, stored);
            }
            else
            {
                for (var i = 0; i < count && stored.Count > 0; i++)
                {
                    if (stored.Contains(keys.Int64(i)))
                    {
                        _keep[i] = false;
                        _existingInTable++;
                    }
                }
            }
        }

        for (var c = 0; c < columns.Length; c++)
        {
            if (columns[c].Column.References is not { } table || _lookup is null)
            {
                continue;
            }

            if (!_references.TryGetValue(table, out var reference))
            {
                _references[table] = reference = new ReferencedKeys(await _lookup.AllKeysAsync(table, cancellationToken));
            }

            for (var i = 0; i < count; i++)
            {
                if (!_keep[i] || columns[c].IsNull(i))
                {
                    continue;
                }

                if (!reference.Use(columns[c].Int64(i)))
                {
                    throw new ImportRejectedException(
                        string.Create(CultureInfo.InvariantCulture,
                            $"line {batch.Lines[i]}, column {_fileColumnOf[c] + 1} (\"{columns[c].Column.Name}\"): {columns[c].Int64(i)} is not in {table}; import the {table} first."),
                        ImportRejection.Reference, batch.Lines[i], columns[c].Column.Name);
                }
            }
        }

        var kept = 0;
        for (var i = 0; i < count; i++)
        {
            if (!_keep[i])
            {
                continue;
            }

            if (i != kept)
            {
                foreach (var column in columns)
                {
                    column.Move(i, kept);
                }

                batch.Lines[kept] = batch.Lines[i];
            }

            kept++;
        }

        if (kept > 0)
        {
            using var group = writer.CreateRowGroup();
            for (var c = 0; c < columns.Length; c++)
            {
                // the fields of the writer's schema are the first batch's
                await columns[c].WriteAsync(group, _batches[0].Columns[c].Field, kept, cancellationToken);
            }
        }

        _rowsKept += kept;
        batch.Count = 0;
    }

    private static ImportRejectedException BadCsv(long line, string what) =>
        new(string.Create(CultureInfo.InvariantCulture, $"line {line}: {what}."), ImportRejection.BadCsv, line);

    /// <summary>
    /// A header's name as a message shows it: quoted when it looks like a column name (letters, digits, '_' and spaces,
    /// up to 64), else only said to be there, since a value of a data row could be personal data.
    /// </summary>
    private static string HeaderName(string name, bool headerMissing)
    {
        if (name.Length == 0)
        {
            return "(an empty name)";
        }

        var looksLikeName = !headerMissing && name.Length <= 64 && (char.IsAsciiLetter(name[0]) || name[0] == '_')
            && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or ' ');
        return looksLikeName ? $"\"{name}\"" : "(a name that is not shown)";
    }

    private static string Shown(ReadOnlySpan<char> value) => value.Length <= 40 ? value.ToString() : string.Concat(value[..40], "…");

    private static string Plural(int count, string word) => count == 1 ? word : word + "s";

    /// <summary>What the reader knew of a row's key when a stage settles duplicates: new to the file (certain) or maybe seen, with or without a missing value.</summary>
    private enum RowState : byte
    {
        New,
        NewMissing,
        Repeat,
        RepeatMissing,
    }

    /// <summary>One batch of rows: typed columns and each row's line in the file.</summary>
    private sealed class Batch(DatasetSchema schema, int size)
    {
        public ColumnBuffer[] Columns { get; } = [.. schema.Columns.Select(c => ColumnBuffer.For(c, size))];

        public long[] Lines { get; } = new long[size];

        /// <summary>With a stage: what the reader knew of each row's key, and the row's hash, for the writer to settle.</summary>
        public RowState[] States { get; } = new RowState[size];

        public long[] Hashes { get; } = new long[size];

        public int Count { get; set; }
    }
}

/// <summary>
/// The rows of a file keyed by one Int64, for de-duplication in one map instead of two sets: the exact key maps to the
/// first row's hash (its low 63 bits; the last bit says whether a row kept the key), and the rare further rows with the
/// same key but other values go in a small set. Rows are equal only if their keys are (the key is part of the row), so
/// comparing hashes within a key is what comparing them across the file was, with 63 bits among the rows of one key
/// instead of 128 among all. About 28–56 bytes a key (the map's entries and buckets, before and after it doubles),
/// where the two sets of 128-bit hashes took 56–112.
/// </summary>
internal sealed class KeyedRows
{
    private const ulong Taken = 1;
    private readonly Dictionary<long, ulong> _first = [];
    private readonly HashSet<(long Key, ulong Hash)> _more = [];

    public int Count => _first.Count + _more.Count;

    /// <summary>The key's entry; <paramref name="duplicate"/> when a row with this hash was seen with this key.</summary>
    public ref ulong Entry(long key, UInt128 rowHash, out bool duplicate)
    {
        var hash = (ulong)rowHash & ~Taken;
        ref var entry = ref CollectionsMarshal.GetValueRefOrAddDefault(_first, key, out var exists);
        if (!exists)
        {
            entry = hash;
            duplicate = false;
        }
        else
        {
            duplicate = (entry & ~Taken) == hash || !_more.Add((key, hash));
        }

        return ref entry;
    }

    /// <summary>Marks the key as kept by a row; false when a row kept it already.</summary>
    public static bool TakeKey(ref ulong entry)
    {
        if ((entry & Taken) != 0)
        {
            return false;
        }

        entry |= Taken;
        return true;
    }
}

/// <summary>
/// The keys of a table the rows refer to (users), sorted, and which of them the rows kept use. Looked up once per row:
/// when the keys are dense (their range at most four times their count, as identities are), through a table indexed by
/// the key itself, which takes 4 bytes per value in the range; otherwise by binary search.
/// </summary>
internal sealed class ReferencedKeys
{
    private readonly long[] _known;
    private readonly bool[] _used;
    private readonly int[]? _slot;
    private readonly long _min;

    public ReferencedKeys(long[] sortedKeys)
    {
        _known = sortedKeys;
        _used = new bool[sortedKeys.Length];
        if (sortedKeys.Length > 0 && (ulong)(sortedKeys[^1] - sortedKeys[0]) < 4UL * (ulong)sortedKeys.Length + 1024)
        {
            _min = sortedKeys[0];
            _slot = new int[sortedKeys[^1] - _min + 1];
            Array.Fill(_slot, -1);
            for (var i = 0; i < sortedKeys.Length; i++)
            {
                _slot[sortedKeys[i] - _min] = i;
            }
        }
    }

    /// <summary>Marks the key as used; false when the table does not have it.</summary>
    public bool Use(long key)
    {
        int at;
        if (_slot is not null)
        {
            var offset = (ulong)(key - _min);
            at = offset < (ulong)_slot.Length ? _slot[offset] : -1;
        }
        else
        {
            at = _known.AsSpan().BinarySearch(key);
        }

        if (at < 0)
        {
            return false;
        }

        _used[at] = true;
        return true;
    }

    /// <summary>The keys used, sorted.</summary>
    public long[] Used() => [.. _known.Where((_, i) => _used[i])];
}

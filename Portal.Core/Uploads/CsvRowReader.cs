using System.Globalization;
using Sylvan.Data.Csv;

namespace Portal.Core.Uploads;

/// <summary>
/// The reader's stage of a <see cref="CsvImport"/>: Sylvan's CSV reader gives each field as characters in its buffer
/// (a value becomes a string only in a text column, and a repeated one is shared), and each row is parsed into a
/// batch of typed columns. Checks, in order: the file is not empty; the header names every declared column once (any
/// order, any case) and no other; every row has as many values as the header; every value parses as its column's type
/// (invariant culture). Any of these stops the import with the line (1 is the header) and column (counted from 1 in the
/// file). Then the de-duplication admits each row or drops it (counted in <see cref="Drops"/>): a row equal to an earlier
/// one (by a 128-bit hash of its values), a row without a value in a required column, and a row whose key is already
/// stored in the partition's files or was kept earlier in this file, as far as the reader can tell; the writer's stage
/// (<see cref="ImportBatchWriter"/>) settles the rest.
/// </summary>
internal sealed class CsvRowReader(DatasetSchema schema, IRowDeduplication deduplication, RowsByDay? days)
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

    private readonly bool[] _required = [.. schema.Columns.Select(c => c.Required)];
    private byte[] _scratch = new byte[256];
    private int[] _fileColumnOf = [];
    private long _line, _nextLine = 1;

    /// <summary>Rows read (blank lines and the header not counted).</summary>
    public long RowsIn { get; private set; }

    /// <summary>Empty values in the rows read.</summary>
    public long MissingValues { get; private set; }

    /// <summary>Rows the reader dropped, by reason.</summary>
    public DropCounts Drops { get; } = new();

    /// <summary>A CSV reader of <paramref name="text"/> as this stage reads it (RFC 4180, lines up to <see cref="MaxLineChars"/>); the caller disposes both.</summary>
    public static CsvDataReader Open(TextReader text) => CsvDataReader.Create(text, Options);

    /// <summary>The column in the file (counted from 1) that the schema's column <paramref name="column"/> is read from; known once the header is read.</summary>
    public int FileColumn(int column) => _fileColumnOf[column] + 1;

    /// <summary>The rejection for a line longer than <see cref="MaxLineChars"/> (Sylvan's <see cref="CsvRecordTooLargeException"/>), at the line being read.</summary>
    public ImportRejectedException LineTooLong() =>
        BadCsv(_nextLine, $"a line is longer than {MaxLineChars:N0} characters (is a quote left open?)");

    /// <summary>The rejection for a quoted value that does not end properly (Sylvan's <see cref="CsvFormatException"/>), at the line being read.</summary>
    public ImportRejectedException QuoteNotClosed() =>
        BadCsv(_nextLine, "a quoted value does not end properly: it needs a closing quote, then a comma or the end of the line (is a quote left open?)");

    /// <summary>
    /// Reads the next record that is not a blank line, and notes the line it starts on (<see cref="_line"/>) and the
    /// line after it: a quoted value may hold line breaks, so lines are counted in the record's own characters.
    /// </summary>
    public bool NextRecord(CsvDataReader reader)
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

    /// <summary>Reads the header, the file's first record that is not blank, and maps the file's columns to the schema's.</summary>
    public void ReadHeader(CsvDataReader reader)
    {
        if (!NextRecord(reader))
        {
            throw new ImportRejectedException("The file is empty: it needs a header line and at least one row.", ImportRejection.Empty);
        }

        var names = new string[reader.RowFieldCount];
        for (var i = 0; i < names.Length; i++)
        {
            names[i] = reader.GetFieldSpan(i).Trim().TrimStart('\uFEFF').Trim().ToString();
        }

        var problems = new List<string>();
        var missing = schema.Columns.Where(c => !names.Contains(c.Name, StringComparer.OrdinalIgnoreCase)).Select(c => $"\"{c.Name}\"").ToList();
        if (missing.Count > 0)
        {
            problems.Add($"missing {Plural(missing.Count, "column")} {string.Join(", ", missing)}");
        }

        // A first line that names none of the columns is most likely a row of data (the header left out), and its
        // values may be personal data: they are not repeated. Otherwise an unknown name is shown if it looks like one.
        var headerMissing = names.All(n => schema.IndexOf(n) < 0);
        var unknown = names.Where(n => schema.IndexOf(n) < 0).Select(n => HeaderName(n, headerMissing)).ToList();
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
                $"line 1 (header): {string.Join("; ", problems)}. The header of {schema.Name} names {string.Join(", ", schema.Columns.Select(c => c.Name))} (in any order).",
                ImportRejection.Header, 1, missing.Count > 0 ? schema.Columns.First(c => !names.Contains(c.Name, StringComparer.OrdinalIgnoreCase)).Name : null);
        }

        _fileColumnOf = new int[schema.Columns.Count];
        var schemaIndexOf = new int[names.Length];
        for (var f = 0; f < names.Length; f++)
        {
            schemaIndexOf[f] = schema.IndexOf(names[f]);
            _fileColumnOf[schemaIndexOf[f]] = f;
        }
    }

    /// <summary>Reads the record just read as the batch's next row: parsed, checked, and admitted or dropped by the de-duplication.</summary>
    public void ReadRow(CsvDataReader reader, ImportBatch batch)
    {
        RowsIn++;
        var line = _line;
        var columns = batch.Columns;
        var fields = reader.RowFieldCount;
        if (fields != columns.Length)
        {
            throw new ImportRejectedException(
                string.Create(CultureInfo.InvariantCulture, $"line {line}: {fields} {(fields == 1 ? "value" : "values")}, but the header has {columns.Length} columns."),
                ImportRejection.FieldCount, line);
        }

        var row = batch.Count;
        var anyRequiredMissing = false;
        var rowMissing = 0;
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
                rowMissing++;
                anyRequiredMissing |= _required[c];
            }
        }

        MissingValues += rowMissing;
        days?.Read(columns[days.DateColumn], row, rowMissing, anyRequiredMissing);

        var bytes = new CanonicalBytes(_scratch);
        foreach (var column in columns)
        {
            column.AppendCanonical(row, ref bytes);
        }

        var rowHash = bytes.Hash();
        _scratch = bytes.Buffer;
        var kept = deduplication.Admit(batch, row, rowHash, anyRequiredMissing, Drops);
        if (kept)
        {
            batch.Lines[row] = line;
            batch.Count++;
        }
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
}

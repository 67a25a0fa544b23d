using System.Globalization;
using System.Runtime.InteropServices;
using System.Threading.Channels;
using Parquet;
using Sylvan.Data.Csv;

namespace Portal.Core.Uploads;

/// <summary>The reader's stage: records, quotes, the header and each row into the batch, and the messages for bad CSV.</summary>
internal sealed partial class CsvImport
{
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

        _missingValues += rowMissing;
        _days?.Read(columns[_days.DateColumn], row, rowMissing, anyRequiredMissing);

        var bytes = new CanonicalBytes(_scratch);
        foreach (var column in columns)
        {
            column.AppendCanonical(row, ref bytes);
        }

        var rowHash = bytes.Hash();
        _scratch = bytes.Buffer;
        var kept = _deduplication.Admit(_batch, row, rowHash, anyRequiredMissing, _readerDrops);
        if (kept)
        {
            _batch.Lines[row] = line;
            _batch.Count++;
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

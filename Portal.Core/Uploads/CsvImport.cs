using System.Globalization;
using System.Runtime.InteropServices;
using System.Threading.Channels;
using Parquet;
using Sylvan.Data.Csv;

namespace Portal.Core.Uploads;

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
/// What the de-duplication remembers of the rows read is its strategy's (<see cref="IRowDeduplication"/>): keys on disk
/// in the import's <see cref="SqliteTableStage"/> (<see cref="StagedDeduplication"/>), a map in memory
/// (<see cref="KeyedDeduplication"/>) or sets of hashes (<see cref="HashedDeduplication"/>).
/// </para>
/// </summary>
internal sealed partial class CsvImport
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
    private readonly IRowDeduplication _deduplication;
    private readonly DropCounts _readerDrops = new();
    private readonly DropCounts _writerDrops = new();
    private readonly TableLookup? _lookup;
    private readonly bool[] _keep;
    private readonly long[] _keyValues;
    private readonly Dictionary<string, ReferencedKeys> _references = new(StringComparer.Ordinal);
    private readonly RowsByDay? _days;
    private readonly ImportBatch[] _batches;
    private ImportBatch _batch;
    private byte[] _scratch = new byte[256];
    private int[] _fileColumnOf = [];
    private long _line, _nextLine = 1;
    private long _rowsIn, _rowsKept, _missingValues;

    /// <summary>
    /// An import of rows into <paramref name="schema"/>, dropping duplicates by <paramref name="deduplication"/>
    /// (<see cref="RowDeduplication.For"/>), checking keys and references against the tables through
    /// <paramref name="lookup"/> (for a dataset loaded into a table), and writing a row group per <paramref name="batchSize"/> rows.
    /// </summary>
    public CsvImport(DatasetSchema schema, IRowDeduplication deduplication, TableLookup? lookup, int batchSize)
    {
        _schema = schema;
        _deduplication = deduplication;
        _batches = [new ImportBatch(schema, batchSize), new ImportBatch(schema, batchSize)];
        _batch = _batches[0];
        _keyColumns = [.. schema.Columns.Select((c, i) => (c, i)).Where(x => x.c.Key).Select(x => x.i)];
        _required = [.. schema.Columns.Select(c => c.Required)];
        _lookup = schema.Table is null ? null : lookup;
        _keep = new bool[batchSize];
        _keyValues = new long[batchSize];
        _days = schema.HealthDate is { } date ? new RowsByDay(schema.IndexOf(date), schema.Columns.Count) : null;
    }

    private ColumnBuffer[] Columns => _batch.Columns;

    /// <summary>
    /// Reads <paramref name="source"/> (CSV; its length, when it has one, for the progress) and writes the rows kept
    /// to <paramref name="parquet"/>. Run once.
    /// </summary>
    /// <exception cref="ImportRejectedException">The file breaks a check; nothing it wrote should be kept.</exception>
    public async Task<CsvImportResult> RunAsync(Stream source, Stream parquet, Func<ImportProgress, CancellationToken, Task>? progress,
        CancellationToken cancellationToken)
    {
        long? length = source.CanSeek ? source.Length : null;
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

        var (read, written) = (_readerDrops, _writerDrops);
        return new CsvImportResult(_rowsIn, _rowsKept, read.Duplicates + written.Duplicates, read.Missing + written.Missing,
            read.Existing + written.Existing + read.ExistingInTable + written.ExistingInTable, _missingValues, _rowsIn * Columns.Length,
            bytes.BytesRead, bytes.Checksum)
        {
            ReferencedKeys = _references.ToDictionary(r => r.Key, r => r.Value.Used(), StringComparer.Ordinal),
            Days = _days?.Days(),
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
        var full = Channel.CreateBounded<ImportBatch>(new BoundedChannelOptions(1) { SingleReader = true, SingleWriter = true });
        var free = Channel.CreateBounded<ImportBatch>(new BoundedChannelOptions(_batches.Length) { SingleReader = true, SingleWriter = true });
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
}

using System.Threading.Channels;
using Parquet;
using Parquet.Schema;
using Sylvan.Data.Csv;

namespace Portal.Core.Uploads;

/// <summary>
/// Reads one CSV file into one Parquet file, streaming: the file's bytes are checked as UTF-8 and hashed as they pass,
/// the reader's stage (<see cref="CsvRowReader"/>: the checks that stop an import with a line and column, and the rows
/// dropped as duplicates or without a required value) parses rows into a batch of typed columns, and the writer's stage
/// (<see cref="ImportBatchWriter"/>: keys already in the table, users referred to) writes each full batch as a Parquet
/// row group, so memory follows the batch size and not the file's. A file without rows stops the import.
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
internal sealed class CsvImport
{
    private static readonly ParquetOptions ParquetOptions = new() { CompressionMethod = CompressionMethod.Snappy };

    private readonly ImportBatch[] _batches;
    private readonly ParquetSchema _parquetSchema;
    private readonly RowsByDay? _days;
    private readonly CsvRowReader _rows;
    private readonly ImportBatchWriter _writer;

    /// <summary>
    /// An import of rows into <paramref name="schema"/>, dropping duplicates by <paramref name="deduplication"/>
    /// (<see cref="RowDeduplication.For"/>), checking keys and references against the tables through
    /// <paramref name="lookup"/> (for a dataset loaded into a table), and writing a row group per <paramref name="batchSize"/> rows.
    /// </summary>
    public CsvImport(DatasetSchema schema, IRowDeduplication deduplication, TableLookup? lookup, int batchSize)
    {
        _batches = [new ImportBatch(schema, batchSize), new ImportBatch(schema, batchSize)];
        _parquetSchema = ColumnBuffer.SchemaOf(_batches[0].Columns);
        _days = schema.HealthDate is { } date ? new RowsByDay(schema.IndexOf(date), schema.Columns.Count) : null;
        _rows = new CsvRowReader(schema, deduplication, _days);
        _writer = new ImportBatchWriter(schema, deduplication, lookup, _days, _parquetSchema, _rows.FileColumn);
    }

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
        using var reader = CsvRowReader.Open(text);
        try
        {
            _rows.ReadHeader(reader);
            await using (var parquetWriter = await ParquetWriter.CreateAsync(_parquetSchema, parquet, ParquetOptions, cancellationToken: cancellationToken))
            {
                await PipelineAsync(reader, parquetWriter, bytes, length, progress, cancellationToken);
            }

            if (_rows.RowsIn == 0)
            {
                throw new ImportRejectedException("The file has a header but no rows.", ImportRejection.NoRows, 1);
            }
        }
        catch (CsvRecordTooLargeException)
        {
            throw _rows.LineTooLong();
        }
        catch (CsvFormatException)
        {
            throw _rows.QuoteNotClosed();
        }

        await bytes.ReadToEndAsync(cancellationToken);
        foreach (var column in _batches.SelectMany(b => b.Columns).OfType<StringColumn>())
        {
            column.Clear();
        }

        if (progress is not null)
        {
            await progress(new ImportProgress("Read", _rows.RowsIn, bytes.BytesRead, length), cancellationToken);
        }

        var (read, written) = (_rows.Drops, _writer.Drops);
        return new CsvImportResult(_rows.RowsIn, _writer.RowsKept, read.Duplicates + written.Duplicates, read.Missing + written.Missing,
            read.Existing + written.Existing + read.ExistingInTable + written.ExistingInTable, _rows.MissingValues,
            _rows.RowsIn * _batches[0].Columns.Length, bytes.BytesRead, bytes.Checksum)
        {
            ReferencedKeys = _writer.UsedKeys(),
            Days = _days?.Days(),
        };
    }

    /// <summary>
    /// The reader's stage (this thread) fills a batch and hands it to the writer's stage (a task), which gives it back
    /// once written to <paramref name="parquetWriter"/>; the reader meanwhile fills the other one. A failure in either
    /// stops both; the writer's is thrown first.
    /// </summary>
    private async Task PipelineAsync(CsvDataReader reader, ParquetWriter parquetWriter, CheckedUtf8Stream bytes, long? length,
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
                    await _writer.WriteAsync(batch, parquetWriter, stop.Token);
                    free.Writer.TryWrite(batch);
                }
            }
            catch
            {
                await stop.CancelAsync();
                throw;
            }
        }, CancellationToken.None);

        var filling = _batches[0];
        try
        {
            while (_rows.NextRecord(reader))
            {
                _rows.ReadRow(reader, filling);
                if (filling.Count == filling.Lines.Length)
                {
                    await full.Writer.WriteAsync(filling, stop.Token);
                    filling = await free.Reader.ReadAsync(stop.Token);
                }

                if ((_rows.RowsIn & 0x3FFF) == 0)
                {
                    stop.Token.ThrowIfCancellationRequested();
                    if (progress is not null)
                    {
                        await progress(new ImportProgress("Reading", _rows.RowsIn, bytes.BytesRead, length), cancellationToken);
                    }
                }
            }

            if (filling.Count > 0)
            {
                await full.Writer.WriteAsync(filling, stop.Token);
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

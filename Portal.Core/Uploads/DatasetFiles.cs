using System.Text;
using System.Threading.Channels;
using Parquet;
using Parquet.Schema;
using Portal.Core.Audiences;

namespace Portal.Core.Uploads;

/// <summary>
/// Where uploaded data lives in the bucket, and reading it back. Kept files are
/// <c>datasets/&lt;dataset&gt;/&lt;partition&gt;/&lt;file stem&gt;.parquet</c>; an import writes its Parquet to
/// <c>uploads/staging/</c> first and moves it only once everything else succeeded. Uploaded CSV files wait in
/// <c>uploads/incoming/</c> for their job; files dropped into <c>incoming/&lt;dataset&gt;/&lt;partition&gt;/</c> are
/// imported by the drop-folder scan and stay where they are.
/// </summary>
public static class DatasetFiles
{
    public const string DatasetsFolder = "datasets";
    public const string StagingFolder = "uploads/staging";
    public const string UploadsFolder = "uploads/incoming";
    public const string DropFolder = "incoming";

    public static string PartitionFolder(string dataset, string partition) => $"{DatasetsFolder}/{dataset}/{partition}";

    /// <summary>Where an upload of that file name is staged for its import: a new name under <see cref="UploadsFolder"/>.</summary>
    public static string NewUploadPath(string fileName) => $"{UploadsFolder}/{Guid.NewGuid():N}-{StemOf(fileName)}.csv";

    /// <summary>A file name as a safe bucket name: letters, digits, '.', '-' and '_' kept, anything else '_'; the extension dropped.</summary>
    public static string StemOf(string fileName)
    {
        var stem = Path.GetFileNameWithoutExtension(fileName);
        var safe = new StringBuilder(stem.Length);
        foreach (var c in stem)
        {
            safe.Append(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '_');
        }

        var text = safe.ToString().Trim('.');
        return text.Length == 0 ? "file" : text.Length > 100 ? text[..100] : text;
    }

    /// <summary>Why a file name cannot be imported (null when it can): it must be a plain name, not a path.</summary>
    public static string? FileNameProblem(string? fileName)
    {
        if (string.IsNullOrWhiteSpace(fileName))
        {
            return "Give the file's name.";
        }

        if (fileName.Length > 255)
        {
            return "The file name is longer than 255 characters.";
        }

        if (fileName.IndexOfAny(['/', '\\']) >= 0 || fileName is "." or ".." || fileName.Any(char.IsControl))
        {
            return $"'{fileName}' is not a plain file name (no folders, no control characters).";
        }

        return fileName != fileName.Trim() ? "The file name starts or ends with a space." : null;
    }

    /// <summary>
    /// Why an import may not read <paramref name="path"/> (null when it may): an upload's file is one its own upload
    /// staged, directly in <see cref="UploadsFolder"/>; a drop-folder file lies under <see cref="DropFolder"/>. Anything
    /// else (another folder, <c>..</c>, an absolute path, a write in progress) is refused before it is read or deleted.
    /// </summary>
    public static string? SourcePathProblem(ImportSource source, string? path)
    {
        var folder = source == ImportSource.Upload ? UploadsFolder : DropFolder;
        var refused = $"An import reads only files {(source == ImportSource.Upload ? "its upload staged in" : "found under")} {folder}/; "
            + $"'{Shortened(path ?? "")}' is not one, so nothing was read or deleted.";
        if (string.IsNullOrWhiteSpace(path) || !path.StartsWith(folder + "/", StringComparison.Ordinal) || path.Contains('\\', StringComparison.Ordinal))
        {
            return refused;
        }

        var parts = path[(folder.Length + 1)..].Split('/');
        if ((source == ImportSource.Upload && parts.Length != 1)
            || parts.Any(p => p.Length == 0 || p.StartsWith('.') || p.Any(char.IsControl)))
        {
            return refused;
        }

        return null;
    }

    private static string Shortened(string text) => text.Length > 200 ? text[..200] + "…" : text;

    /// <summary>Adds the key hashes of every row of a stored file to <paramref name="keys"/>, reading only the key columns.</summary>
    internal static async Task AddKeyHashesAsync(IBucket bucket, string path, DatasetSchema schema, HashSet<UInt128> keys, CancellationToken cancellationToken)
    {
        var keyColumns = schema.Columns.Select((c, i) => (c, i)).Where(x => x.c.Key).Select(x => x.i).ToArray();
        var scratch = new byte[64];
        await ReadAsync(bucket, path, schema, [.. keyColumns.Select(k => schema.Columns[k].Name)], (columns, count) =>
        {
            for (var row = 0; row < count; row++)
            {
                var bytes = new CanonicalBytes(scratch);
                foreach (var k in keyColumns)
                {
                    columns[k]!.AppendCanonical(row, ref bytes);
                }

                scratch = bytes.Buffer;
                keys.Add(bytes.Hash());
            }

            return Task.CompletedTask;
        }, cancellationToken);
    }

    /// <summary>
    /// Reads a stored file a row group at a time: <paramref name="onBatch"/> gets the columns by the schema's index
    /// (null for columns not asked for; all of them when <paramref name="columnNames"/> is null) and the row count.
    /// </summary>
    internal static async Task ReadAsync(IBucket bucket, string path, DatasetSchema schema, IReadOnlyCollection<string>? columnNames,
        Func<ColumnBuffer?[], int, Task> onBatch, CancellationToken cancellationToken)
    {
        await using var stream = await bucket.OpenReadAsync(path, cancellationToken);
        await using var reader = await ParquetReader.CreateAsync(stream, cancellationToken: cancellationToken);
        var fields = FieldsOf(reader, path, schema, columnNames);
        var columns = ColumnsFor(reader, schema, fields);
        for (var g = 0; g < reader.RowGroupCount; g++)
        {
            await onBatch(columns, await ReadGroupAsync(reader, g, fields, columns, cancellationToken));
        }
    }

    /// <summary>
    /// Reads every column of a stored file a row group at a time, the next group while <paramref name="onBatch"/> takes
    /// the one before (two sets of columns, handed over through channels of one), so decoding and, say, inserting
    /// overlap. A failure of either side stops both and is thrown.
    /// </summary>
    internal static async Task ReadAheadAsync(IBucket bucket, string path, DatasetSchema schema, Action<ColumnBuffer[], int> onBatch,
        CancellationToken cancellationToken)
    {
        await using var stream = await bucket.OpenReadAsync(path, cancellationToken);
        await using var reader = await ParquetReader.CreateAsync(stream, cancellationToken: cancellationToken);
        var fields = FieldsOf(reader, path, schema, null);
        var full = Channel.CreateBounded<(ColumnBuffer[] Columns, int Count)>(new BoundedChannelOptions(1) { SingleReader = true, SingleWriter = true });
        var free = Channel.CreateBounded<ColumnBuffer[]>(new BoundedChannelOptions(2) { SingleReader = true, SingleWriter = true });
        free.Writer.TryWrite(ColumnsFor(reader, schema, fields)!);
        free.Writer.TryWrite(ColumnsFor(reader, schema, fields)!);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var reading = Task.Run(async () =>
        {
            try
            {
                for (var g = 0; g < reader.RowGroupCount; g++)
                {
                    var columns = await free.Reader.ReadAsync(stop.Token);
                    await full.Writer.WriteAsync((columns, await ReadGroupAsync(reader, g, fields, columns, stop.Token)), stop.Token);
                }
            }
            finally
            {
                full.Writer.TryComplete();
            }
        }, CancellationToken.None);

        try
        {
            await foreach (var (columns, count) in full.Reader.ReadAllAsync(cancellationToken))
            {
                onBatch(columns, count);
                free.Writer.TryWrite(columns);
            }
        }
        catch
        {
            await stop.CancelAsync();
            try
            {
                await reading;
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // stopped because the other side failed: that failure is the one thrown
            }

            throw;
        }

        await reading;
    }

    private static DataField?[] FieldsOf(ParquetReader reader, string path, DatasetSchema schema, IReadOnlyCollection<string>? columnNames)
    {
        var fields = new DataField?[schema.Columns.Count];
        for (var i = 0; i < fields.Length; i++)
        {
            if (columnNames is null || columnNames.Contains(schema.Columns[i].Name, StringComparer.Ordinal))
            {
                fields[i] = reader.Schema.DataFields.FirstOrDefault(f => f.Name == schema.Columns[i].Name)
                    ?? throw new InvalidDataException($"{path} has no column {schema.Columns[i].Name}.");
            }
        }

        return fields;
    }

    /// <summary>A buffer for each field read, as large as the file's largest row group.</summary>
    private static ColumnBuffer?[] ColumnsFor(ParquetReader reader, DatasetSchema schema, DataField?[] fields)
    {
        var capacity = 0;
        for (var g = 0; g < reader.RowGroupCount; g++)
        {
            using var group = reader.OpenRowGroupReader(g);
            capacity = Math.Max(capacity, checked((int)group.RowCount));
        }

        return [.. fields.Select((f, i) => f is null ? null : ColumnBuffer.For(schema.Columns[i], capacity))];
    }

    private static async Task<int> ReadGroupAsync(ParquetReader reader, int g, DataField?[] fields, ColumnBuffer?[] columns, CancellationToken cancellationToken)
    {
        using var group = reader.OpenRowGroupReader(g);
        var count = checked((int)group.RowCount);
        for (var i = 0; i < columns.Length; i++)
        {
            if (columns[i] is { } column)
            {
                await column.ReadAsync(group, fields[i]!, count, cancellationToken);
            }
        }

        return count;
    }

    /// <summary>Copies an object to another path (the bucket's move is a copy, then a delete).</summary>
    internal static async Task CopyAsync(IBucket bucket, string from, string to, CancellationToken cancellationToken)
    {
        await bucket.WriteAsync(to, async (target, ct) =>
        {
            await using var source = await bucket.OpenReadAsync(from, ct);
            await source.CopyToAsync(target, 1 << 16, ct);
        }, cancellationToken);
    }
}

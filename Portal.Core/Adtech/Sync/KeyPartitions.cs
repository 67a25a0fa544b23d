namespace Portal.Core.Adtech.Sync;

/// <summary>
/// Records spread over local work files by the first seven bits of their key, in a work folder deleted on dispose: each
/// file is sorted on its own, and the files read one after another are in key order, so no merge is needed
/// (<see cref="PartitionedRecords"/>). Keys are SHA-256 digests, so the files fill about evenly, a 128th of the records
/// each (1.2 MB at 1M members, 12 MB at 10M). Written on one thread.
/// </summary>
internal sealed class KeyPartitions(string folder) : IAsyncDisposable
{
    public const int Count = 128;

    private const int Shift = 1;
    private const int WriteBuffer = 32 * 1024;

    private readonly FileStream?[] _files = new FileStream?[Count];

    public string Folder => folder;

    /// <summary>Appends a record to the file of its key's partition.</summary>
    public void Add(ReadOnlySpan<byte> record)
    {
        var partition = record[0] >> Shift;
        var file = _files[partition] ??= new FileStream(PathOf(partition), FileMode.CreateNew, FileAccess.Write, FileShare.None, WriteBuffer);
        file.Write(record);
    }

    /// <summary>Writes out what the files buffer and closes them: they can be read.</summary>
    public async Task CloseAsync()
    {
        for (var i = 0; i < Count; i++)
        {
            if (_files[i] is { } file)
            {
                _files[i] = null;
                await file.DisposeAsync();
            }
        }
    }

    /// <summary>The file of partition <paramref name="partition"/> (absent when no record went there).</summary>
    public string PathOf(int partition) => Path.Combine(folder, $"keys-{partition:D2}");

    /// <summary>The records in key order, each key once, sorting a partition at a time in at most <paramref name="maxBytes"/> (two of them at once).</summary>
    public RecordSource Open(int maxBytes) => new PartitionedRecords(this, maxBytes);

    public async ValueTask DisposeAsync()
    {
        await CloseAsync();
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}

using Portal.Core.Audiences;

namespace Portal.Core.Adtech.Sync;

/// <summary>The current members hashed and sorted into run files in a work folder (deleted on dispose), and what hashing counted.</summary>
public sealed class SortedMembers(string folder) : IAsyncDisposable
{
    public string Folder { get; } = folder;

    internal List<string> Runs { get; } = [];

    public HashStats Stats { get; } = new();

    private long _acrossRuns;

    /// <summary>Duplicates within one run (left out when it was written).</summary>
    internal long DuplicatesInRuns { get; set; }

    /// <summary>Members that had the same identifiers as another member (kept once); complete once <see cref="Open"/> was read to its end.</summary>
    public long Duplicates => DuplicatesInRuns + _acrossRuns;

    /// <summary>The members in key order, each once.</summary>
    public RecordSource Open() => new MergedRecords([.. Runs.Select(MirrorFiles.OpenWork)], n => _acrossRuns = n);

    public ValueTask DisposeAsync()
    {
        if (Directory.Exists(Folder))
        {
            Directory.Delete(Folder, recursive: true);
        }

        return ValueTask.CompletedTask;
    }
}
